package dev.relocator.chaos.workload;

/** Where the writer's volume keeps its data. */
public enum VolumeKind {
    /** the lab's shared directory through the local driver (type=none,o=bind): relocatable */
    SHARED,
    /** a plain local volume inside the node's engine: its data stays on the node */
    NODE_LOCAL,
    /**
     * the lab's own volume driver ({@code lab-nas}, a real Docker volume plugin on every node) over
     * the same shared directory (data in /lab/shared/&lt;volume&gt;): relocatable, and its unmount can
     * be made to hang ({@code Nemesis.hangUnmount})
     */
    LAB_NAS;

    /** Whether the data lives in the lab's shared directory, readable from the host at any time. */
    public boolean onSharedStorage() {
        return this != NODE_LOCAL;
    }
}
