package dev.relocator.chaos.workload;

/** Where the writer's volume keeps its data. */
public enum VolumeKind {
    /** the lab's shared directory through the local driver (type=none,o=bind): relocatable */
    SHARED,
    /**
     * the lab's shared directory through the lab's own volume driver {@code lab-nas} (a real Docker
     * volume plugin on every node, data in /lab/shared/&lt;volume&gt;): relocatable
     */
    LAB_NAS,
    /** a plain local volume inside the node's engine: its data stays on the node */
    NODE_LOCAL
}
