package dev.relocator.core.ports;

import dev.relocator.core.model.VolumeSpec;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's node-local Docker Engine. Calls are synchronous and bounded by the adapter's
 * timeouts; a failure throws {@link DockerUnavailableException} (dockerd restarting).
 */
public interface LocalDocker {

    /** Containers on this node (running, paused or restarting) that mount {@code volume}. */
    List<String> containersMounting(String volume);

    /**
     * Live containers mounting each of {@code volumes}, every volume a key (an empty list: none). The agent
     * asks this once per tick for all its volumes, so an adapter should answer from one listing: a node that
     * knows 50 volumes must not cost 50 engine requests every 100 ms on the thread that keeps the lease.
     * The default asks {@link #containersMounting(String)} per volume.
     */
    default Map<String, List<String>> containersMounting(Collection<String> volumes) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String v : volumes) {
            out.put(v, containersMounting(v));
        }
        return out;
    }

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

    /**
     * {@link #prepare} then {@link #verify}, possibly off the caller's thread: a prepare runs helper containers
     * for seconds, and the agent's loop thread also sends the heartbeats. Returns empty while it runs (call again
     * with the same spec), then its verdict once: true when verified. A failed prepare throws its exception to
     * the call that collects it; the next call starts a new attempt. While a prepare of a volume runs, its
     * helper container is not reported by {@link #containersMounting}. The default runs both here and now.
     */
    default Optional<Boolean> prepareAndVerify(VolumeSpec spec) {
        prepare(spec);
        return Optional.of(verify(spec));
    }

    /**
     * {@link #removeStaleReference} ({@code stale}) or {@link #removeVolumeReference}, possibly off the caller's
     * thread, like {@link #prepareAndVerify}: false while it runs (call again), then true once, when it is done;
     * a failure throws to the call that collects it. The default removes here and now.
     */
    default boolean removeReference(String volume, boolean stale) {
        if (stale) {
            removeStaleReference(volume);
        } else {
            removeVolumeReference(volume);
        }
        return true;
    }

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
