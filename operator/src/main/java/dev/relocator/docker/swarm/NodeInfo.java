package dev.relocator.docker.swarm;

import java.util.Map;

/**
 * A Swarm node as the controller needs it.
 *
 * @param state        ready, down, disconnected, unknown
 * @param availability active, pause, drain
 * @param role         manager or worker
 * @param address      the node's address as seen by the managers
 * @param managerAddress the Raft address for managers, empty for workers
 */
public record NodeInfo(String id, String hostname, String state, String availability, String role,
                       Map<String, String> labels, String address, String managerAddress, boolean leader, long version) {

    public NodeInfo {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        address = address == null ? "" : address;
        managerAddress = managerAddress == null ? "" : managerAddress;
    }

    public boolean ready() {
        return "ready".equals(state);
    }

    public boolean manager() {
        return "manager".equals(role);
    }
}
