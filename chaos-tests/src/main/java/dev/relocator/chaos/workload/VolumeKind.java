package dev.relocator.chaos.workload;

/** Where the writer's volume keeps its data. */
public enum VolumeKind {
    /** the lab's shared directory through the local driver (type=none,o=bind): relocatable */
    SHARED,
    /** a plain local volume inside the node's engine: its data stays on the node */
    NODE_LOCAL
}
