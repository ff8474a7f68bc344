package dev.relocator.docker.swarm;

/**
 * What Swarm itself says about the local node. Leadership is Swarm's Raft leadership:
 * Relocator runs no election of its own.
 *
 * @param nodeId  the Swarm node id, empty when the engine is not in a swarm
 * @param state   Swarm's local node state (active, inactive, pending, error, locked)
 * @param manager {@code Swarm.ControlAvailable}: this node is a manager
 * @param leader  this node is the Raft leader ({@code ManagerStatus.Leader} of its own node)
 */
public record SwarmRole(String nodeId, String state, boolean manager, boolean leader) {

    public static final SwarmRole NOT_IN_SWARM = new SwarmRole("", "inactive", false, false);

    public boolean active() {
        return "active".equals(state);
    }
}
