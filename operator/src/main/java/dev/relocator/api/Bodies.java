package dev.relocator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.crd.api.Status;
import dev.relocator.crd.api.StatusReason;
import dev.relocator.crd.load.DocumentParser;
import dev.relocator.crd.load.ParseException;
import dev.relocator.crd.load.ParseLimits;
import dev.relocator.store.StoreException;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Request bodies: content type, size, syntax; always one document, answered with a precise Status otherwise. */
final class Bodies {

    static final Set<String> RESOURCE_TYPES = Set.of("application/json", "application/yaml", "application/x-yaml", "text/yaml");
    static final String MERGE_PATCH = "application/merge-patch+json";
    private static final Map<String, String> OTHER_PATCHES = Map.of(
            "application/json-patch+json", "JSON Patch (RFC 6902)",
            "application/strategic-merge-patch+json", "strategic merge patch",
            "application/apply-patch+yaml", "server-side apply");

    private Bodies() {
    }

    static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    /** One JSON or YAML document of a create or replace. */
    static JsonNode resource(byte[] body, String contentType, int maxBytes) {
        String type = mediaType(contentType);
        if (!RESOURCE_TYPES.contains(type)) {
            throw new StoreException(Status.failure(StatusReason.UnsupportedMediaType, "Content-Type \"" + (contentType == null ? "" : contentType)
                    + "\" is not supported here: send the resource as application/json or application/yaml", null));
        }
        return parseOne(body, maxBytes);
    }

    /** The body of a PATCH: only JSON merge patch (RFC 7386). */
    static JsonNode mergePatch(byte[] body, String contentType, int maxBytes) {
        String type = mediaType(contentType);
        if (!MERGE_PATCH.equals(type)) {
            String what = OTHER_PATCHES.get(type);
            throw new StoreException(Status.failure(StatusReason.UnsupportedMediaType, "Content-Type \"" + (contentType == null ? "" : contentType)
                    + "\" is not supported for PATCH" + (what == null ? "" : " (" + what + " is not implemented)")
                    + ": send a JSON merge patch as application/merge-patch+json, or replace the whole object with PUT", null));
        }
        JsonNode patch = parseOne(body, maxBytes);
        if (!patch.isObject()) {
            throw new StoreException(Status.badRequest("a merge patch must be a JSON object, got " + patch.getNodeType().name().toLowerCase(Locale.ROOT)
                    + ": send e.g. {\"spec\":{\"paused\":true}}"));
        }
        return patch;
    }

    static JsonNode json(byte[] body, String contentType, int maxBytes) {
        if (!"application/json".equals(mediaType(contentType))) {
            throw new StoreException(Status.failure(StatusReason.UnsupportedMediaType, "Content-Type \"" + (contentType == null ? "" : contentType)
                    + "\" is not supported here: send application/json", null));
        }
        return parseOne(body, maxBytes);
    }

    private static JsonNode parseOne(byte[] body, int maxBytes) {
        if (body == null || body.length == 0) {
            throw new StoreException(Status.badRequest("the request has no body: send the object as JSON or YAML"));
        }
        if (body.length > maxBytes) {
            throw new StoreException(ApiRoutes.tooLarge(body.length, maxBytes));
        }
        List<JsonNode> docs;
        try {
            docs = new DocumentParser(ParseLimits.defaults()).parse(body);
        } catch (ParseException e) {
            throw new StoreException(Status.badRequest("the request body does not parse: " + e.error()));
        }
        if (docs.size() != 1) {
            throw new StoreException(Status.badRequest("the request body holds " + docs.size()
                    + " documents: send exactly one object per request (relocatorctl apply splits files for you)"));
        }
        return docs.get(0);
    }

    /** RFC 7386: objects merge recursively, null removes, anything else replaces. */
    static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : JsonNodeFactory.instance.objectNode();
        patch.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), merge(result.get(e.getKey()), e.getValue()));
            }
        });
        return result;
    }
}
