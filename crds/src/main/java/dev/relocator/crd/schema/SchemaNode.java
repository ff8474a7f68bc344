package dev.relocator.crd.schema;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One node of a Kubernetes structural schema (the OpenAPI v3 subset a CRD may use), compiled
 * once. Compilation refuses every keyword it does not implement: a validator that silently
 * skipped, say, {@code x-kubernetes-validations} would accept what the API server rejects.
 */
public final class SchemaNode {

    private static final Set<String> KNOWN_KEYWORDS = Set.of(
            "type", "description", "properties", "additionalProperties", "items", "required",
            "enum", "pattern", "minLength", "maxLength", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "uniqueItems",
            "minProperties", "maxProperties", "format", "nullable", "default", "example",
            "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string",
            "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-embedded-resource");
    private static final Set<String> TYPES = Set.of("object", "array", "string", "integer", "number", "boolean");

    private final String path;
    private final String type;
    private final String description;
    private final Map<String, SchemaNode> properties;
    private final SchemaNode additionalProperties;
    private final SchemaNode items;
    private final List<String> required;
    private final List<JsonNode> enumValues;
    private final Pattern pattern;
    private final String patternSource;
    private final Integer minLength;
    private final Integer maxLength;
    private final Double minimum;
    private final Double maximum;
    private final boolean exclusiveMinimum;
    private final boolean exclusiveMaximum;
    private final Integer minItems;
    private final Integer maxItems;
    private final boolean uniqueItems;
    private final Integer minProperties;
    private final Integer maxProperties;
    private final String format;
    private final boolean nullable;
    private final JsonNode defaultValue;
    private final boolean preserveUnknownFields;
    private final boolean intOrString;
    private final String listType;
    private final List<String> listMapKeys;

    private SchemaNode(String path, JsonNode n) {
        this.path = path;
        if (!n.isObject()) {
            throw invalid(path, "a schema must be an object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KNOWN_KEYWORDS.contains(k)) {
                throw invalid(path, "keyword '" + k + "' is not supported by the Relocator validator");
            }
        }
        this.type = text(n, "type");
        this.preserveUnknownFields = n.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        this.intOrString = n.path("x-kubernetes-int-or-string").asBoolean(false);
        if (type == null && !preserveUnknownFields && !intOrString) {
            throw invalid(path, "a structural schema needs a type at every level");
        }
        if (type != null && !TYPES.contains(type)) {
            throw invalid(path, "unknown type '" + type + "'");
        }
        this.description = text(n, "description");
        Map<String, SchemaNode> props = new LinkedHashMap<>();
        n.path("properties").properties().forEach(e ->
                props.put(e.getKey(), new SchemaNode(path + ".properties." + e.getKey(), e.getValue())));
        this.properties = Collections.unmodifiableMap(props);
        JsonNode ap = n.get("additionalProperties");
        if (ap != null && ap.isBoolean()) {
            // the API server forbids additionalProperties: false next to properties; unknown fields
            // are rejected anyway (strict field validation), so false adds nothing and true is pruning's opposite
            throw invalid(path, "additionalProperties must be a schema in a structural schema");
        }
        this.additionalProperties = ap == null ? null : new SchemaNode(path + ".additionalProperties", ap);
        if (additionalProperties != null && !properties.isEmpty()) {
            throw invalid(path, "properties and additionalProperties are mutually exclusive");
        }
        JsonNode it = n.get("items");
        this.items = it == null ? null : new SchemaNode(path + ".items", it);
        if ("array".equals(type) && items == null) {
            throw invalid(path, "an array schema needs items");
        }
        List<String> req = new ArrayList<>();
        n.path("required").forEach(r -> req.add(r.asText()));
        for (String r : req) {
            if (!properties.containsKey(r)) {
                throw invalid(path, "required property '" + r + "' is not declared in properties");
            }
        }
        this.required = List.copyOf(req);
        List<JsonNode> en = new ArrayList<>();
        n.path("enum").forEach(en::add);
        this.enumValues = List.copyOf(en);
        this.patternSource = text(n, "pattern");
        try {
            this.pattern = patternSource == null ? null : Pattern.compile(ecmaEnd(patternSource));
        } catch (PatternSyntaxException e) {
            throw invalid(path, "pattern does not compile: " + e.getDescription());
        }
        this.minLength = intOrNull(n, "minLength");
        this.maxLength = intOrNull(n, "maxLength");
        this.minimum = n.has("minimum") ? n.get("minimum").asDouble() : null;
        this.maximum = n.has("maximum") ? n.get("maximum").asDouble() : null;
        this.exclusiveMinimum = n.path("exclusiveMinimum").asBoolean(false);
        this.exclusiveMaximum = n.path("exclusiveMaximum").asBoolean(false);
        this.minItems = intOrNull(n, "minItems");
        this.maxItems = intOrNull(n, "maxItems");
        this.uniqueItems = n.path("uniqueItems").asBoolean(false);
        this.minProperties = intOrNull(n, "minProperties");
        this.maxProperties = intOrNull(n, "maxProperties");
        this.format = text(n, "format");
        this.nullable = n.path("nullable").asBoolean(false);
        this.defaultValue = n.has("default") ? n.get("default").deepCopy() : null;
        this.listType = text(n, "x-kubernetes-list-type");
        List<String> keys = new ArrayList<>();
        n.path("x-kubernetes-list-map-keys").forEach(k -> keys.add(k.asText()));
        this.listMapKeys = List.copyOf(keys);
        if ("map".equals(listType)) {
            if (keys.isEmpty() || items == null) {
                throw invalid(path, "x-kubernetes-list-type: map needs x-kubernetes-list-map-keys and items");
            }
            for (String k : keys) {
                SchemaNode keySchema = items.properties.get(k);
                if (keySchema == null) {
                    throw invalid(path, "list map key '" + k + "' is not a property of the items");
                }
                if (!items.required.contains(k) && !keySchema.hasDefault()) {
                    throw invalid(path, "list map key '" + k + "' must be required or defaulted");
                }
            }
        }
    }

    /** Compiles a schema; throws {@link InvalidSchemaException} naming the first unsupported or malformed part. */
    public static SchemaNode compile(JsonNode schema) {
        return new SchemaNode("openAPIV3Schema", schema);
    }

    /**
     * In ECMA-262 (the dialect of OpenAPI patterns) a final {@code $} matches only at the end of
     * the input; in Java it also matches before a final line break, which would let
     * {@code "/data\n"} through an anchored pattern.
     */
    private static String ecmaEnd(String p) {
        return p.endsWith("$") && !p.endsWith("\\$") ? p.substring(0, p.length() - 1) + "\\z" : p;
    }

    private static InvalidSchemaException invalid(String path, String what) {
        return new InvalidSchemaException(path + ": " + what);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Integer intOrNull(JsonNode n, String field) {
        return n.has(field) ? n.get(field).asInt() : null;
    }

    public String path() { return path; }
    public Optional<String> type() { return Optional.ofNullable(type); }
    public Optional<String> description() { return Optional.ofNullable(description); }
    public Map<String, SchemaNode> properties() { return properties; }
    public Optional<SchemaNode> additionalProperties() { return Optional.ofNullable(additionalProperties); }
    public Optional<SchemaNode> items() { return Optional.ofNullable(items); }
    public List<String> required() { return required; }
    public List<JsonNode> enumValues() { return enumValues; }
    public Optional<Pattern> pattern() { return Optional.ofNullable(pattern); }
    public Optional<String> patternSource() { return Optional.ofNullable(patternSource); }
    public Optional<Integer> minLength() { return Optional.ofNullable(minLength); }
    public Optional<Integer> maxLength() { return Optional.ofNullable(maxLength); }
    public Optional<Double> minimum() { return Optional.ofNullable(minimum); }
    public Optional<Double> maximum() { return Optional.ofNullable(maximum); }
    public boolean exclusiveMinimum() { return exclusiveMinimum; }
    public boolean exclusiveMaximum() { return exclusiveMaximum; }
    public Optional<Integer> minItems() { return Optional.ofNullable(minItems); }
    public Optional<Integer> maxItems() { return Optional.ofNullable(maxItems); }
    public boolean uniqueItems() { return uniqueItems; }
    public Optional<Integer> minProperties() { return Optional.ofNullable(minProperties); }
    public Optional<Integer> maxProperties() { return Optional.ofNullable(maxProperties); }
    public Optional<String> format() { return Optional.ofNullable(format); }
    public boolean nullable() { return nullable; }
    public boolean hasDefault() { return defaultValue != null; }
    /** A fresh copy of the default, so defaulting never shares nodes between resources. */
    public Optional<JsonNode> defaultValue() { return Optional.ofNullable(defaultValue).map(JsonNode::deepCopy); }
    public boolean preserveUnknownFields() { return preserveUnknownFields; }
    public boolean intOrString() { return intOrString; }
    public Optional<String> listType() { return Optional.ofNullable(listType); }
    public List<String> listMapKeys() { return listMapKeys; }
}
