package dev.relocator.core.model;

import java.util.Arrays;

/**
 * The relocation phase of one volume, stored in the {@link Labels#PHASE} label of its
 * workload service. The order of a relocation is fixed and no step is ever skipped:
 * {@code Attached → Fencing → Detaching → Attaching → Starting → Attached}.
 * A first placement starts at {@code Pending → Attaching}, because there is no previous
 * writer to fence.
 */
public enum Phase {
    /** Known, never attached (epoch 0); no writer exists. */
    PENDING("Pending"),
    /** Pinned to one node with epoch e; the node's agent holds a grant for the volume. */
    ATTACHED("Attached"),
    /** Grant revoked, replicas 0; waiting for evidence that the writer on the source is dead. */
    FENCING("Fencing"),
    /** Evidence recorded; removing the node-local volume reference on the source (never data). */
    DETACHING("Detaching"),
    /** Target chosen; the target's agent creates and verifies the volume. */
    ATTACHING("Attaching"),
    /** Pinned to the target with epoch e+1 and replicas 1; waiting for the task to run. */
    STARTING("Starting"),
    /** A step failed too often; retried after a back-off from the phase it failed in. */
    FAILED("Failed");

    private final String label;

    Phase(String label) {
        this.label = label;
    }

    /** The CamelCase value used in labels, status and events. */
    public String label() {
        return label;
    }

    /** True in the phases where the workload must not run anywhere (replicas 0). */
    public boolean relocating() {
        return this == FENCING || this == DETACHING || this == ATTACHING;
    }

    public static Phase fromLabel(String value) {
        for (Phase p : values()) {
            if (p.label.equals(value)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown phase '" + value + "' in label " + Labels.PHASE
                + "; expected one of " + Arrays.toString(Arrays.stream(values()).map(Phase::label).toArray())
                + " (fix or remove the label; the controller then re-adopts the service)");
    }
}
