package dev.relocator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.store.WatchEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An object's recent history as Kubernetes-style events, derived by comparing its successive
 * states: the generations the store keeps (durable, one per generation) and the changes this
 * instance's watch saw (not durable). The durable, complete stream is the Kafka topic.
 */
final class EventHistory {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private EventHistory() {
    }

    static ObjectNode of(ObjectNode current, List<ObjectNode> stored, List<WatchEvent> recent) {
        TreeMap<Long, JsonNode> states = new TreeMap<>();
        stored.forEach(o -> states.put(rv(o), o));
        recent.forEach(e -> states.put(e.resourceVersion(), e.object()));
        states.put(rv(current), current);
        ObjectNode list = F.objectNode();
        list.put("apiVersion", "v1");
        list.put("kind", "EventList");
        ArrayNode items = list.putArray("items");
        JsonNode before = null;
        for (Map.Entry<Long, JsonNode> s : states.entrySet()) {
            for (ObjectNode e : diff(before, s.getValue())) {
                e.put("resourceVersion", Long.toString(s.getKey()));
                ObjectNode involved = e.putObject("involvedObject");
                involved.put("kind", current.path("kind").asText());
                involved.put("name", current.path("metadata").path("name").asText());
                items.add(e);
            }
            before = s.getValue();
        }
        return list;
    }

    private static long rv(JsonNode o) {
        return Long.parseLong(o.path("metadata").path("resourceVersion").asText("0"));
    }

    static List<ObjectNode> diff(JsonNode a, JsonNode b) {
        List<ObjectNode> out = new ArrayList<>();
        if (a == null) {
            out.add(event("Normal", "Created", "generation " + b.path("metadata").path("generation").asText("1"),
                    b.path("metadata").path("creationTimestamp").asText(null)));
        } else if (a.path("metadata").path("generation").asLong() != b.path("metadata").path("generation").asLong()) {
            out.add(event("Normal", "SpecChanged", "generation " + a.path("metadata").path("generation").asText() + " → "
                    + b.path("metadata").path("generation").asText(), null));
        }
        String p0 = a == null ? "" : a.path("status").path("phase").asText("");
        String p1 = b.path("status").path("phase").asText("");
        if (!p1.isEmpty() && !p1.equals(p0)) {
            String node = b.path("status").path("node").asText("");
            out.add(event(p1.equals("Failed") ? "Warning" : "Normal", "Phase" + p1,
                    (p0.isEmpty() ? "" : p0 + " → ") + p1 + (node.isEmpty() ? "" : " on " + node), null));
        }
        Map<String, JsonNode> before = new TreeMap<>();
        if (a != null) {
            a.path("status").path("conditions").forEach(c -> before.put(c.path("type").asText(), c));
        }
        for (JsonNode c : b.path("status").path("conditions")) {
            JsonNode old = before.get(c.path("type").asText());
            if (old == null || !old.path("status").equals(c.path("status")) || !old.path("reason").equals(c.path("reason"))) {
                String type = c.path("type").asText();
                String status = c.path("status").asText();
                boolean bad = (type.equals("Ready") && !status.equals("True")) || (type.equals("Degraded") && status.equals("True"));
                out.add(event(bad ? "Warning" : "Normal", c.path("reason").asText(type),
                        type + "=" + status + (c.hasNonNull("message") ? ": " + c.get("message").asText() : ""),
                        c.path("lastTransitionTime").asText(null)));
            }
        }
        annotation(a, b, ResourcesApi.RELOCATE_TO, "RelocateRequested", "relocation to node ", out);
        annotation(a, b, ResourcesApi.DRAIN_FROM, "DrainRequested", "move off node ", out);
        boolean del0 = a != null && a.path("metadata").has("deletionTimestamp");
        if (!del0 && b.path("metadata").has("deletionTimestamp")) {
            out.add(event("Normal", "DeletionRequested", b.path("metadata").path("finalizers").isEmpty()
                    ? "deleted" : "waiting for the relocation in flight to end", b.path("metadata").path("deletionTimestamp").asText(null)));
        }
        return out;
    }

    private static void annotation(JsonNode a, JsonNode b, String key, String reason, String message, List<ObjectNode> out) {
        String v0 = a == null ? null : a.path("metadata").path("annotations").path(key).asText(null);
        String v1 = b.path("metadata").path("annotations").path(key).asText(null);
        if (v1 != null && !Objects.equals(v0, v1)) {
            out.add(event("Normal", reason, message + v1,
                    b.path("metadata").path("annotations").path(ResourcesApi.REQUESTED_AT).asText(null)));
        }
    }

    private static ObjectNode event(String type, String reason, String message, String time) {
        ObjectNode e = F.objectNode();
        e.put("apiVersion", "v1");
        e.put("kind", "Event");
        e.put("type", type);
        e.put("reason", reason);
        e.put("message", message);
        if (time != null) {
            e.put("lastTimestamp", time);
        }
        return e;
    }
}
