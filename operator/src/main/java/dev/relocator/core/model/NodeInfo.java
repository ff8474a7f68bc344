package dev.relocator.core.model;

import java.util.Map;
import java.util.Objects;

/**
 * A Swarm node as the controller sees it.
 *
 * @param id           Swarm node id (what the pin constraint names)
 * @param hostname     for humans and events
 * @param manager      true for managers
 * @param availability Swarm availability; only {@code ACTIVE} nodes are relocation targets
 * @param state        Swarm's view of the node: the second detection signal, never the only one
 * @param labels       node labels, matched against placement constraints
 * @param leader       true for the Raft leader
 */
public record NodeInfo(String id, String hostname, boolean manager, Availability availability,
                       SwarmState state, Map<String, String> labels, boolean leader) {

    public NodeInfo {
        Objects.requireNonNull(id, "id");
        hostname = hostname == null ? id : hostname;
        Objects.requireNonNull(availability, "availability");
        Objects.requireNonNull(state, "state");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    public enum Availability { ACTIVE, PAUSE, DRAIN }

    public enum SwarmState { READY, DOWN, UNKNOWN }
}
