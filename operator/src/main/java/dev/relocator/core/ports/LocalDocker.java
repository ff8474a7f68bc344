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

    class DockerUnavailableException extends RuntimeException {
        public DockerUnavailableException(String message) {
            super(message);
        }
    }
}
