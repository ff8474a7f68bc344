package dev.relocator.store;

import dev.relocator.crd.labels.LabelShorthand;

import java.util.Map;

/**
 * A Swarm service that carries {@code relocator.dev/*} labels; {@code version} is its Swarm version
 * index, {@code workload} its mounts and placement constraints (what the shorthand derives from).
 */
public record LabelledService(String name, long version, Map<String, String> labels, LabelShorthand.Workload workload) {
    public LabelledService {
        labels = Map.copyOf(labels);
        workload = workload == null ? LabelShorthand.Workload.NONE : workload;
    }

    /** A service whose mounts and constraints are not known: its labels must say everything. */
    public LabelledService(String name, long version, Map<String, String> labels) {
        this(name, version, labels, LabelShorthand.Workload.NONE);
    }
}
