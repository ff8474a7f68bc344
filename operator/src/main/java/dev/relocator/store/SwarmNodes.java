package dev.relocator.store;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/** {@link NodeDirectory} over the Engine API's node list (a manager's view). */
public final class SwarmNodes implements NodeDirectory {

    private final SwarmApi api;

    public SwarmNodes(SwarmApi api) {
        this.api = api;
    }

    @Override
    public List<Node> nodes() {
        return api.list("/nodes", Map.of()).stream().map(SwarmNodes::node).toList();
    }

    private static Node node(JsonNode n) {
        return new Node(n.path("ID").asText(), n.path("Description").path("Hostname").asText(),
                n.path("Status").path("State").asText(), n.path("Spec").path("Availability").asText());
    }
}
