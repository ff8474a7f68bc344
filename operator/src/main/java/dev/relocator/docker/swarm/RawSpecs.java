package dev.relocator.docker.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The parts of a raw service spec Relocator owns: its labels, the constraints, the replica count. */
public final class RawSpecs {

    private RawSpecs() {
    }

    /** Replaces every {@code relocator.dev/*} label with {@code relocatorLabels}; other labels stay. */
    public static void replaceRelocatorLabels(ObjectNode spec, Map<String, String> relocatorLabels) {
        for (String key : relocatorLabels.keySet()) {
            if (!key.startsWith(RelocatorLabels.STATE_PREFIX) && !key.equals(RelocatorLabels.VOLUME)) {
                throw new IllegalArgumentException("label " + key + " is not under " + RelocatorLabels.STATE_PREFIX
                        + "; Relocator writes only its own state labels, never the user's " + RelocatorLabels.PREFIX + "* declaration");
            }
        }
        ObjectNode labels = spec.has("Labels") && spec.get("Labels").isObject() ? (ObjectNode) spec.get("Labels") : spec.putObject("Labels");
        Iterator<String> names = labels.fieldNames();
        List<String> remove = new ArrayList<>();
        while (names.hasNext()) {
            String n = names.next();
            // only the controller's state: the user's relocator.dev/* declaration (opt-in, shorthand) stays
            if (n.startsWith(RelocatorLabels.STATE_PREFIX)) {
                remove.add(n);
            }
        }
        labels.remove(remove);
        relocatorLabels.forEach(labels::put);
    }

    public static List<String> constraints(JsonNode spec) {
        JsonNode c = spec.path("TaskTemplate").path("Placement").path("Constraints");
        List<String> out = new ArrayList<>();
        if (c.isArray()) {
            c.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    public static void setConstraints(ObjectNode spec, List<String> constraints) {
        ObjectNode template = object(spec, "TaskTemplate");
        ObjectNode placement = object(template, "Placement");
        ArrayNode array = placement.putArray("Constraints");
        constraints.forEach(array::add);
    }

    /** Sets the replica count; only replicated services can carry a relocatable workload. */
    public static void setReplicas(ObjectNode spec, int replicas) {
        JsonNode replicated = spec.path("Mode").path("Replicated");
        if (!replicated.isObject()) {
            throw new IllegalArgumentException("service " + spec.path("Name").asText() + " is not in replicated mode;"
                    + " a relocatable workload must be a replicated service with one replica (docker service create --replicas 1)");
        }
        ((ObjectNode) replicated).put("Replicas", replicas);
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n instanceof ObjectNode o) {
            return o;
        }
        return parent.putObject(field);
    }
}
