package dev.relocator.core.ports;

import dev.relocator.core.model.VolumeSpec;

import java.util.List;

/**
 * The agent's node-local Docker Engine. Calls are synchronous and bounded by the adapter's
 * timeouts; a failure throws {@link DockerUnavailableException} (dockerd restarting).
 */
public interface LocalDocker {

    /** Containers on this node (running, paused or restarting) that mount {@code volume}. */
    List<String> containersMounting(String volume);

    /** SIGKILL; idempotent (a container already gone is success). */
    void kill(String containerId);

    /** True when the node-local reference of the volume exists (volume present or mounted). */
    boolean volumePresent(String volume);

    /**
     * Removes the node-local volume reference (unmount, {@code docker volume rm}). Must never
     * delete data on the backing store: for the {@code local} driver with bind/NFS options it
     * only removes the reference.
     */
    void removeVolumeReference(String volume);

    /** Creates the volume with driver and options, applies ownership and mount options. */
    void prepare(VolumeSpec spec);

    /** Mounts the volume once in a throw-away check and compares ownership and options; true when it matches. */
    boolean verify(VolumeSpec spec);

    /**
     * A volume reference on this node that Relocator marked relocatable or created.
     *
     * @param createdByRelocator Relocator created it (its own label): only such a reference may be removed
     *                           without a command naming it
     * @param dataOffNode        removing the reference leaves the data in place (a non-{@code local} driver, or
     *                           {@code local} with a {@code device}); a plain {@code local} volume's data is the reference
     */
    record LocalVolume(String name, boolean createdByRelocator, boolean dataOffNode) {
    }

    /**
     * Volume references on this node labelled relocatable or created by Relocator. The agent enforces
     * every one of them from its first tick, also those no controller told it about yet: a node that
     * returns after a crash or partition may hold a stale copy of a workload it has no grant for.
     * Ports that cannot list report none.
     */
    default List<LocalVolume> relocatableVolumes() {
        return List.of();
    }

    /**
     * Removes a reference the agent found stale (revoked here, nothing running). Like
     * {@link #removeVolumeReference} but refuses a volume Relocator did not create.
     */
    default void removeStaleReference(String volume) {
        removeVolumeReference(volume);
    }

    class DockerUnavailableException extends RuntimeException {
        public DockerUnavailableException(String message) {
            super(message);
        }
    }
}
