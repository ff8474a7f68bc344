package dev.relocator.docker.events;

/** The Docker objects whose events Relocator listens to. */
public enum ObjectKind {
    /** node-local: die, kill, oom, destroy, start */
    CONTAINER,
    /** node-local: mount, unmount, create, destroy */
    VOLUME,
    /** manager-wide: create, update, remove */
    SERVICE,
    /** manager-wide: create, update, remove */
    NODE,
    /** manager-wide: create, update, remove (the resource store keeps its objects in Swarm configs) */
    CONFIG,
    /** not a Docker object: the full re-read of the truth, queued like any other key */
    RESYNC
}
