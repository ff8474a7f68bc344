package dev.relocator.events;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One CloudEvent read back from an event topic (structured mode): its attributes, the Kafka
 * key, and the fields of its data that every consumer needs.
 *
 * @param json the event exactly as it was on the topic
 */
public record WatchedEvent(String id, String type, String source, String subject, Instant time, String key,
                           String kind, long epoch, String phase, long sequence, String boot, int missed,
                           Map<String, Object> details, String json) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public boolean snapshot() {
        return "dev.relocator.volume.snapshot".equals(type);
    }

    /** Parses a structured-mode CloudEvent; a record that is not one is a clear error, not a null. */
    @SuppressWarnings("unchecked")
    public static WatchedEvent parse(String key, String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not a JSON CloudEvent (key " + key + "): " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject() || !"1.0".equals(root.path("specversion").asText())) {
            throw new IllegalArgumentException("Not a CloudEvents 1.0 structured event (key " + key + "): " + json);
        }
        JsonNode data = root.path("data");
        String time = root.path("time").asText(null);
        Map<String, Object> details = data.has("details")
                ? MAPPER.convertValue(data.get("details"), Map.class) : Map.of();
        return new WatchedEvent(
                root.path("id").asText(),
                root.path("type").asText(),
                root.path("source").asText(),
                root.path("subject").asText(null),
                time == null ? null : Instant.parse(time),
                key,
                data.path("kind").asText(null),
                data.path("epoch").asLong(0),
                data.path("phase").asText(null),
                data.path("sequence").asLong(0),
                data.path("boot").asText(null),
                data.path("missed").asInt(0),
                details,
                json);
    }
}
