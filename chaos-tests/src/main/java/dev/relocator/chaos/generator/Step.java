package dev.relocator.chaos.generator;

import java.time.Duration;

/** One step of a generated schedule. */
public sealed interface Step {

    /** Let the workload run. */
    record Wait(Duration duration) implements Step {
    }

    /**
     * Inject a fault, hold it, heal it.
     *
     * @param fault            a {@link dev.relocator.chaos.nemesis.Nemesis} fault name
     * @param target           {@link #WRITER_NODE} or {@link #OTHER_WORKER}, resolved when the step runs
     * @param hold             how long the fault stays before its heal (zero for instantaneous faults)
     * @param expectRelocation whether the workload should move because of this fault (L2 reads it)
     */
    record Inject(String fault, String target, Duration hold, boolean expectRelocation) implements Step {
        public static final String WRITER_NODE = "writer-node";
        public static final String OTHER_WORKER = "other-worker";
    }
}
