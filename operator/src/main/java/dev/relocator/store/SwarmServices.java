package dev.relocator.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relocator.crd.labels.LabelShorthand;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Labelled services read from Swarm, with the mounts and constraints the shorthand derives from. */
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
            out.add(new LabelledService(s.path("Spec").path("Name").asText(), s.path("Version").path("Index").asLong(), labels,
                    workload(s.path("Spec").path("TaskTemplate"))));
        }
        return out;
    }

    /** The task template's mounts and placement constraints, as the Engine API spells them. */
    static LabelShorthand.Workload workload(JsonNode taskTemplate) {
        List<LabelShorthand.Mount> mounts = new ArrayList<>();
        for (JsonNode m : taskTemplate.path("ContainerSpec").path("Mounts")) {
            JsonNode dc = m.path("VolumeOptions").path("DriverConfig");
            Map<String, String> options = new HashMap<>();
            dc.path("Options").fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
            mounts.add(new LabelShorthand.Mount(m.path("Type").asText(""), m.path("Source").asText(""), m.path("Target").asText(""),
                    dc.path("Name").asText(""), options));
        }
        List<String> constraints = new ArrayList<>();
        taskTemplate.path("Placement").path("Constraints").forEach(c -> constraints.add(c.asText()));
        return new LabelShorthand.Workload(mounts, constraints);
    }
}
