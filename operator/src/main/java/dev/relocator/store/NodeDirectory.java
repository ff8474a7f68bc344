package dev.relocator.store;

import java.util.List;
import java.util.Optional;

/** The Swarm nodes a relocate or drain request may name (by hostname or node id). */
@FunctionalInterface
public interface NodeDirectory {

    record Node(String id, String hostname, String state, String availability) {
        public boolean ready() {
            return "ready".equals(state);
        }

        public boolean active() {
            return "active".equals(availability);
        }
    }

    List<Node> nodes();

    default Optional<Node> find(String idOrHostname) {
        return nodes().stream().filter(n -> n.id().equals(idOrHostname) || n.hostname().equals(idOrHostname)).findFirst();
    }
}
