package dev.relocator.crd.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * Applies the schema's {@code default}s the way the Kubernetes API server does: a missing
 * property gets its default, an explicit {@code null} in a non-nullable property counts as
 * missing, and defaulting recurses into what it just added (so {@code fencing: {}} as a
 * default picks up {@code leaseSeconds: 4}). Nodes of the wrong type are left alone for the
 * validator to report.
 */
public final class Defaulter {

    private Defaulter() {
    }

    /** Defaults {@code value} in place. */
    public static void apply(JsonNode value, SchemaNode schema) {
        if (value == null) {
            return;
        }
        if (value.isObject()) {
            ObjectNode obj = (ObjectNode) value;
            for (Map.Entry<String, SchemaNode> p : schema.properties().entrySet()) {
                String name = p.getKey();
                SchemaNode child = p.getValue();
                JsonNode v = obj.get(name);
                if (v != null && v.isNull() && !child.nullable()) {
                    obj.remove(name);
                    v = null;
                }
                if (v == null && child.hasDefault()) {
                    obj.set(name, child.defaultValue().orElseThrow());
                }
                apply(obj.get(name), child);
            }
            schema.additionalProperties().ifPresent(ap -> obj.forEach(v -> apply(v, ap)));
        } else if (value.isArray()) {
            schema.items().ifPresent(items -> value.forEach(v -> apply(v, items)));
        }
    }
}
