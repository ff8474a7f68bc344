package dev.relocator.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relocator.crd.labels.LabelShorthand;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Labelled services and the cluster's nodes, read from Swarm. */
public final class SwarmServices implements ServiceSource {

    private final SwarmApi api;

    public SwarmServices(SwarmApi api) {
        this.api = api;
    }

    @Override
    public List<LabelledService> labelledServices() {
        List<LabelledService> out = new ArrayList<>();
        for (JsonNode s : api.list("/services", Map.of("label", List.of(LabelShorthand.VOLUME)))) {
            Map<String, String> labels = new HashMap<>();
            s.path("Spec").path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            out.add(new LabelledService(s.path("Spec").path("Name").asText(), s.path("Version").path("Index").asLong(), labels));
        }
        return out;
    }
}
