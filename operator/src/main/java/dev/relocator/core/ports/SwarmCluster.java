package dev.relocator.core.ports;

import dev.relocator.core.model.NodeInfo;
import dev.relocator.core.model.ServiceUpdate;
import dev.relocator.core.model.ServiceView;

import java.util.List;
import java.util.Optional;

/**
 * The controller's view of Swarm and its only way to change it. Implemented over the
 * local manager's Docker API by {@code dev.relocator.docker}, and by the simulation.
 * Every method may throw {@link ClusterUnavailableException}.
 */
public interface SwarmCluster {

    /** All nodes, with Swarm's state, availability, labels and the leader flag. */
    List<NodeInfo> nodes();

    /** The service with its current version, labels, constraints, replicas and tasks; empty if it does not exist. */
    Optional<ServiceView> service(String name);

    /**
     * Compare-and-swap: replaces the {@code relocator.dev/*} labels, the constraints and the replica
     * count of the service in one update, only if its version is still {@code expectedVersion}.
     * Labels not under {@code relocator.dev/} are kept. Must be a single Swarm
     * {@code ServiceUpdate} call carrying {@code version=expectedVersion} (Swarm rejects it with
     * "update out of sequence" when stale), never a read-modify-write in the adapter.
     *
     * <p>The version is a write token only: Swarm moves it by itself after updates (UpdateStatus,
     * task reconciliation), so the core never uses it as evidence; it keys evidence to the
     * {@code relocator.dev/revision} label it passes in {@code update.labels()}, which the adapter
     * writes like every other relocation label and {@link #service} returns.
     *
     * @return the new version
     * @throws StaleVersionException the version moved on; nothing was changed
     */
    long update(String service, long expectedVersion, ServiceUpdate update) throws StaleVersionException;

    /**
     * Proves that the manager this controller runs on is the Swarm leader <em>now</em>, with a
     * write that needs a Raft quorum to commit (for example a label update on a dedicated
     * Swarm config, or the node's own spec). Returns false when this manager is not the leader;
     * throws {@link ClusterUnavailableException} when the write could not commit (no quorum).
     * A plain read is not enough: a partitioned ex-leader still answers reads from its stale store.
     */
    boolean confirmLeadership();

    /**
     * Records on node {@code node}'s own spec (label {@code status.relocator.dev/handover-extension-ms}), with a
     * write that needs a Raft quorum, that its lease was extended by {@code extensionMillis} for an agent
     * hand-over; 0 removes the label. A controller activated later reads it from {@link #nodes()} and honours
     * the extension. The controller grants an extension only after this returned.
     *
     * @throws ClusterUnavailableException the write did not commit (or this cluster cannot record it): no grant
     */
    default void recordHandover(String node, long extensionMillis) {
        throw new ClusterUnavailableException("this cluster adapter cannot record a lease hand-over; none is granted");
    }
}
