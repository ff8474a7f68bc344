package dev.relocator.crd.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relocator.crd.validation.FieldError;
import dev.relocator.crd.validation.FieldError.Type;
import dev.relocator.crd.validation.FieldPath;
import dev.relocator.crd.validation.Suggest;

import java.math.BigInteger;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a JSON tree against a compiled structural schema and collects every violation.
 * Unknown fields are errors (strict field validation, as {@code kubectl --validate=strict}),
 * except under {@code x-kubernetes-preserve-unknown-fields}. Paths listed as delegated are
 * only type-checked; their content belongs to another checker (the root {@code metadata}).
 */
public final class SchemaValidator {

    private static final BigInteger INT64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger INT64_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private final SchemaNode root;
    private final Set<String> delegated;

    public SchemaValidator(SchemaNode root, Set<String> delegatedPaths) {
        this.root = root;
        this.delegated = Set.copyOf(delegatedPaths);
    }

    public List<FieldError> validate(JsonNode value) {
        List<FieldError> errors = new ArrayList<>();
        check(value, root, "", errors);
        return errors;
    }

    private void check(JsonNode v, SchemaNode s, String path, List<FieldError> out) {
        if (v.isNull()) {
            if (!s.nullable()) {
                out.add(new FieldError(path, Type.TYPE_INVALID, "must be " + expected(s) + ", got null",
                        "give it a value or remove the field"));
            }
            return;
        }
        if (s.intOrString()) {
            if (!v.isIntegralNumber() && !v.isTextual()) {
                out.add(typeError(path, s, v));
            }
            return;
        }
        String type = s.type().orElse(null);
        if (type == null) {
            return; // x-kubernetes-preserve-unknown-fields without a type: anything goes
        }
        if (!hasType(v, type)) {
            out.add(typeError(path, s, v));
            return;
        }
        if (delegated.contains(path)) {
            return;
        }
        if (!s.enumValues().isEmpty() && !s.enumValues().contains(v)) {
            out.add(enumError(path, s, v));
            return;
        }
        switch (type) {
            case "object" -> checkObject(v, s, path, out);
            case "array" -> checkArray(v, s, path, out);
            case "string" -> checkString(v.textValue(), s, path, out);
            case "integer", "number" -> checkNumber(v, s, path, out);
            default -> { }
        }
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            default -> false;
        };
    }

    private void checkObject(JsonNode v, SchemaNode s, String path, List<FieldError> out) {
        for (String r : s.required()) {
            if (!v.has(r)) {
                SchemaNode rs = s.properties().get(r);
                out.add(new FieldError(FieldPath.child(path, r), Type.REQUIRED, "is required",
                        "add " + r + rs.description().map(d -> " (" + lowerFirst(d) + ")").orElse("")));
            }
        }
        s.minProperties().filter(min -> v.size() < min).ifPresent(min -> out.add(new FieldError(path,
                Type.REQUIRED, "must have at least " + min + " entries, has " + v.size(), "add entries")));
        s.maxProperties().filter(max -> v.size() > max).ifPresent(max -> out.add(new FieldError(path,
                Type.TOO_MANY, "must have at most " + max + " entries, has " + v.size(),
                "remove " + (v.size() - max) + " entries")));
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            String name = e.getKey();
            SchemaNode child = s.properties().get(name);
            if (child != null) {
                check(e.getValue(), child, FieldPath.child(path, name), out);
            } else if (s.additionalProperties().isPresent()) {
                check(e.getValue(), s.additionalProperties().get(), FieldPath.key(path, name), out);
            } else if (!s.preserveUnknownFields()) {
                out.add(unknownField(FieldPath.key(path, name), name, s));
            }
        }
    }

    private static FieldError unknownField(String path, String name, SchemaNode s) {
        Set<String> known = s.properties().keySet();
        String fix = Suggest.closest(name, known)
                .map(c -> "did you mean '" + c + "'? Rename or remove it")
                .orElse(known.isEmpty() ? "remove it; this object takes no fields"
                        : "remove it; known fields here: " + String.join(", ", known));
        return new FieldError(path, Type.NOT_SUPPORTED, "unknown field \"" + name + "\"", fix);
    }

    private void checkArray(JsonNode v, SchemaNode s, String path, List<FieldError> out) {
        s.minItems().filter(min -> v.size() < min).ifPresent(min -> out.add(new FieldError(path,
                Type.REQUIRED, "must have at least " + min + " items, has " + v.size(), "add items")));
        s.maxItems().filter(max -> v.size() > max).ifPresent(max -> out.add(new FieldError(path,
                Type.TOO_MANY, "must have at most " + max + " items, has " + v.size(),
                "remove " + (v.size() - max) + " items")));
        SchemaNode items = s.items().orElseThrow();
        for (int i = 0; i < v.size(); i++) {
            check(v.get(i), items, FieldPath.index(path, i), out);
        }
        String listType = s.listType().orElse(null);
        if (s.uniqueItems() || "set".equals(listType)) {
            Set<JsonNode> seen = new HashSet<>();
            for (int i = 0; i < v.size(); i++) {
                if (!seen.add(v.get(i))) {
                    out.add(new FieldError(FieldPath.index(path, i), Type.DUPLICATE,
                            "duplicate value " + v.get(i), "remove the repeated entry"));
                }
            }
        } else if ("map".equals(listType)) {
            Set<List<JsonNode>> seen = new HashSet<>();
            for (int i = 0; i < v.size(); i++) {
                JsonNode item = v.get(i);
                if (!item.isObject()) {
                    continue;
                }
                List<JsonNode> key = s.listMapKeys().stream().map(item::path).collect(Collectors.toList());
                if (!seen.add(key)) {
                    String keyText = s.listMapKeys().stream().map(k -> k + "=" + item.path(k).asText())
                            .collect(Collectors.joining(", "));
                    out.add(new FieldError(FieldPath.index(path, i), Type.DUPLICATE,
                            "duplicate entry with " + keyText, "keep one entry per " + String.join("/", s.listMapKeys())));
                }
            }
        }
    }

    private static void checkString(String v, SchemaNode s, String path, List<FieldError> out) {
        int len = v.codePointCount(0, v.length());
        if (s.minLength().isPresent() && len < s.minLength().get()) {
            int min = s.minLength().get();
            out.add(min == 1 && len == 0
                    ? new FieldError(path, Type.REQUIRED, "must not be empty", "give it a value")
                    : new FieldError(path, Type.INVALID, "must be at least " + min + " characters, got " + len,
                            "use a longer value"));
        }
        if (s.maxLength().isPresent() && len > s.maxLength().get()) {
            out.add(new FieldError(path, Type.TOO_LONG, "must be at most " + s.maxLength().get()
                    + " characters, got " + len, "shorten it"));
            return; // matching a huge value against the pattern tells nothing more
        }
        if (s.pattern().isPresent() && !s.pattern().get().matcher(v).find()) {
            out.add(new FieldError(path, Type.INVALID, "\"" + abbreviate(v) + "\" does not match "
                    + s.patternSource().orElseThrow(),
                    s.description().map(d -> "expected: " + lowerFirst(d)).orElse("change the value to match")));
        }
        if ("date-time".equals(s.format().orElse(null))) {
            try {
                OffsetDateTime.parse(v);
            } catch (DateTimeParseException e) {
                out.add(new FieldError(path, Type.INVALID, "\"" + abbreviate(v) + "\" is not an RFC 3339 date-time",
                        "write it like 2026-12-04T20:13:15Z"));
            }
        }
    }

    private static void checkNumber(JsonNode v, SchemaNode s, String path, List<FieldError> out) {
        if (v.isIntegralNumber() && "int64".equals(s.format().orElse(null))) {
            BigInteger b = v.bigIntegerValue();
            if (b.compareTo(INT64_MIN) < 0 || b.compareTo(INT64_MAX) > 0) {
                out.add(new FieldError(path, Type.INVALID, "value " + b + " does not fit in 64 bits",
                        "use a value between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE));
                return;
            }
        }
        double d = v.doubleValue();
        String leaf = leaf(path);
        boolean belowMin = s.minimum().isPresent()
                && (s.exclusiveMinimum() ? d <= s.minimum().get() : d < s.minimum().get());
        boolean aboveMax = s.maximum().isPresent()
                && (s.exclusiveMaximum() ? d >= s.maximum().get() : d > s.maximum().get());
        if (belowMin) {
            out.add(new FieldError(path, Type.INVALID, "must be " + (s.exclusiveMinimum() ? ">" : "≥") + " "
                    + num(s.minimum().get()) + ", got " + v.asText(), "set " + leaf + " to " + range(s)));
        } else if (aboveMax) {
            out.add(new FieldError(path, Type.INVALID, "must be " + (s.exclusiveMaximum() ? "<" : "≤") + " "
                    + num(s.maximum().get()) + ", got " + v.asText(), "set " + leaf + " to " + range(s)));
        }
    }

    private static String range(SchemaNode s) {
        if (s.minimum().isPresent() && s.maximum().isPresent()) {
            return "a value between " + num(s.minimum().get()) + " and " + num(s.maximum().get());
        }
        return s.minimum().map(m -> "at least " + num(m)).orElseGet(() -> "at most " + num(s.maximum().orElseThrow()));
    }

    private static FieldError enumError(String path, SchemaNode s, JsonNode v) {
        List<String> allowed = s.enumValues().stream().map(JsonNode::asText).collect(Collectors.toList());
        String fix = Suggest.closest(v.asText(), allowed)
                .map(c -> "did you mean \"" + c + "\"? Values are case-sensitive; use one of: " + String.join(", ", allowed))
                .orElse("use one of: " + String.join(", ", allowed));
        return new FieldError(path, Type.NOT_SUPPORTED, "unsupported value \"" + abbreviate(v.asText()) + "\"", fix);
    }

    private static FieldError typeError(String path, SchemaNode s, JsonNode v) {
        String want = s.intOrString() ? "integer or string" : s.type().orElse("?");
        String fix;
        if ("string".equals(want) && v.isValueNode()) {
            fix = "quote the value: \"" + abbreviate(v.asText()) + "\"";
        } else if (("integer".equals(want) || "number".equals(want)) && v.isTextual() && isNumeric(v.textValue())) {
            fix = "write the number without quotes: " + v.textValue().trim();
        } else if ("integer".equals(want) && v.isNumber()) {
            fix = "write a whole number";
        } else if ("boolean".equals(want) && v.isTextual()
                && ("true".equalsIgnoreCase(v.textValue()) || "false".equalsIgnoreCase(v.textValue()))) {
            fix = "write " + v.textValue().toLowerCase() + " without quotes";
        } else if ("boolean".equals(want)) {
            fix = "write true or false";
        } else if ("object".equals(want)) {
            fix = "write a mapping of fields (key: value)";
        } else if ("array".equals(want)) {
            fix = v.isValueNode() ? "write a list, e.g. [" + abbreviate(v.asText()) + "]" : "write a list";
        } else {
            fix = "write " + article(want) + " " + want;
        }
        return new FieldError(path, Type.TYPE_INVALID, "must be " + article(want) + " " + want + ", got "
                + describe(v), fix);
    }

    private static String expected(SchemaNode s) {
        String t = s.intOrString() ? "integer or string" : s.type().orElse("a value");
        return article(t) + " " + t;
    }

    private static String describe(JsonNode v) {
        return switch (v.getNodeType()) {
            case OBJECT -> "an object";
            case ARRAY -> "a list";
            case STRING -> "string \"" + abbreviate(v.textValue()) + "\"";
            case NUMBER -> (v.isIntegralNumber() ? "integer " : "number ") + v.asText();
            case BOOLEAN -> "boolean " + v.asText();
            case NULL -> "null";
            default -> v.getNodeType().name().toLowerCase();
        };
    }

    private static boolean isNumeric(String s) {
        return s.trim().matches("[-+]?\\d+(\\.\\d+)?");
    }

    private static String article(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
    }

    private static String num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static String leaf(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    static String lowerFirst(String s) {
        if (s.isEmpty()) {
            return s;
        }
        String t = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        if (t.length() > 1 && Character.isUpperCase(t.charAt(1))) {
            return t; // an acronym such as URL keeps its case
        }
        return Character.toLowerCase(t.charAt(0)) + t.substring(1);
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
