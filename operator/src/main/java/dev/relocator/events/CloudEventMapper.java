package dev.relocator.events;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.relocator.core.events.StateChange;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;

/**
 * Turns buffered state changes into CloudEvents 1.0 (attributes as outgoing CloudEvent
 * metadata, data as a JSON object); the contract is docs/events/asyncapi.yaml and the
 * schemas beside it.
 */
public final class CloudEventMapper {

    public static final String KIND_VOLUME = "volume";
    public static final String KIND_NODE = "node";
    public static final String DATA_CONTENT_TYPE = "application/json";

    private final URI source;
    private final String bootId;

    /**
     * @param instance the operator instance (host name by default)
     * @param bootId   distinguishes this process's sequence numbers from a restarted one's
     */
    public CloudEventMapper(String instance, String bootId) {
        this.source = URI.create("/relocator/" + URLEncoder.encode(instance, StandardCharsets.UTF_8));
        this.bootId = bootId;
    }

    public URI source() {
        return source;
    }

    /** Node events are keyed by node name, everything else by volume (resource) name. */
    public static String kind(String type) {
        return type.startsWith("dev.relocator.node.") ? KIND_NODE : KIND_VOLUME;
    }

    /** The kind of subject an entry is about; a snapshot has the kind of the change it replaces. */
    public static String kind(EventBuffer.Entry entry) {
        return kind(entry.snapshot() && entry.replacedType() != null ? entry.replacedType() : entry.change().type());
    }

    public OutgoingCloudEventMetadata<Object> metadata(EventBuffer.Entry entry) {
        StateChange c = entry.change();
        return OutgoingCloudEventMetadata.builder()
                .withId(entry.id())
                .withSource(source)
                .withType(c.type())
                .withSubject(c.subject())
                .withTimestamp(c.time().atZone(ZoneOffset.UTC))
                .withDataContentType(DATA_CONTENT_TYPE)
                .build();
    }

    /** The CloudEvent {@code data}: epoch, phase, ordering fields and the change's details. */
    public Map<String, Object> data(EventBuffer.Entry entry) {
        StateChange c = entry.change();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("kind", kind(entry));
        data.put("epoch", c.epoch());
        if (c.phase() != null) {
            data.put("phase", c.phase());
        }
        data.put("sequence", entry.sequence());
        data.put("boot", bootId);
        if (entry.snapshot()) {
            data.put("missed", entry.missed());
            data.put("replacedType", entry.replacedType());
        }
        data.put("details", jsonSafe(c.data()));
        return data;
    }

    /** Details are free-form; anything not JSON-native (Instant, Duration, enums) becomes its string form. */
    static Map<String, Object> jsonSafe(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), jsonValue(v)));
        return out;
    }

    private static Object jsonValue(Object v) {
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Map<?, ?> m) {
            return jsonSafe(m);
        }
        if (v instanceof Collection<?> col) {
            List<Object> list = new ArrayList<>(col.size());
            col.forEach(x -> list.add(jsonValue(x)));
            return list;
        }
        return v.toString();
    }
}
