package dev.relocator.crd.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relocator.crd.validation.FieldError.Type;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks {@code metadata}, which a CRD schema cannot describe: the name is an RFC 1123 DNS
 * label (it becomes part of Swarm config and label names), label and annotation keys are
 * qualified names, and the resource is cluster-scoped.
 */
public final class MetadataValidator {

    /** RFC 1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric, at most 63. */
    public static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern QUALIFIED_NAME_PART = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final List<String> FIELDS = List.of("name", "generation", "resourceVersion", "uid", "labels",
            "annotations", "creationTimestamp", "deletionTimestamp", "finalizers");

    private MetadataValidator() {
    }

    public static void validate(JsonNode meta, String kind, List<FieldError> out) {
        if (meta == null || !meta.isObject()) {
            return; // missing or mistyped metadata is the schema's report
        }
        for (Iterator<String> it = meta.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (f.equals("namespace")) {
                out.add(new FieldError("metadata.namespace", Type.FORBIDDEN,
                        kind + " is cluster-scoped (Swarm has no namespaces)",
                        "remove metadata.namespace; put the stack prefix into the name instead"));
            } else if (!FIELDS.contains(f)) {
                out.add(new FieldError(FieldPath.key("metadata", f), Type.NOT_SUPPORTED, "unknown field \"" + f + "\"",
                        Suggest.closest(f, FIELDS).map(c -> "did you mean '" + c + "'? Rename or remove it")
                                .orElse("remove it; known fields here: " + String.join(", ", FIELDS))));
            }
        }
        JsonNode name = meta.get("name");
        if (name == null || name.isNull()) {
            out.add(new FieldError("metadata.name", Type.REQUIRED, "is required",
                    "add a name: a lowercase RFC 1123 DNS label such as pgdata"));
        } else if (!name.isTextual()) {
            out.add(new FieldError("metadata.name", Type.TYPE_INVALID, "must be a string",
                    "quote the value: \"" + name.asText() + "\""));
        } else {
            checkName(name.textValue(), out);
        }
        JsonNode gen = meta.get("generation");
        if (gen != null && (!gen.isIntegralNumber() || !gen.canConvertToLong() || gen.longValue() < 0)) {
            out.add(new FieldError("metadata.generation", Type.INVALID, "must be a non-negative integer, got " + gen,
                    "remove it; the API server sets the generation"));
        }
        for (String f : List.of("resourceVersion", "uid")) {
            JsonNode v = meta.get(f);
            if (v != null && !v.isTextual()) {
                out.add(new FieldError("metadata." + f, Type.TYPE_INVALID, "must be a string, got " + v,
                        "quote the value: \"" + v.asText() + "\""));
            }
        }
        checkStringMap(meta.get("labels"), "metadata.labels", true, out);
        checkStringMap(meta.get("annotations"), "metadata.annotations", false, out);
        for (String f : List.of("creationTimestamp", "deletionTimestamp")) {
            JsonNode v = meta.get(f);
            if (v != null && !v.isNull() && (!v.isTextual() || !isDateTime(v.textValue()))) {
                out.add(new FieldError("metadata." + f, Type.INVALID, "\"" + v.asText() + "\" is not an RFC 3339 date-time",
                        "write it like 2026-12-04T20:13:15Z, or remove it (the API server sets it)"));
            }
        }
        JsonNode fin = meta.get("finalizers");
        if (fin != null && !fin.isArray()) {
            out.add(new FieldError("metadata.finalizers", Type.TYPE_INVALID, "must be a list of strings",
                    "write a list, e.g. [relocator.dev/detach]"));
        } else if (fin != null) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < fin.size(); i++) {
                JsonNode f = fin.get(i);
                String p = FieldPath.index("metadata.finalizers", i);
                if (!f.isTextual() || !isQualifiedName(f.textValue())) {
                    out.add(new FieldError(p, Type.INVALID, "\"" + f.asText() + "\" is not a qualified name",
                            "use a domain-prefixed name such as relocator.dev/detach"));
                } else if (!seen.add(f.textValue())) {
                    out.add(new FieldError(p, Type.DUPLICATE, "duplicate finalizer \"" + f.textValue() + "\"",
                            "list each finalizer once"));
                }
            }
        }
    }

    static void checkName(String n, List<FieldError> out) {
        if (n.length() > 63) {
            out.add(new FieldError("metadata.name", Type.TOO_LONG, "must be at most 63 characters, got " + n.length(),
                    "shorten the name"));
        } else if (!DNS_LABEL.matcher(n).matches()) {
            String suggestion = toDnsLabel(n);
            out.add(new FieldError("metadata.name", Type.INVALID,
                    "\"" + n + "\" is not an RFC 1123 DNS label (lowercase letters, digits and '-', starting and ending with a letter or digit)",
                    suggestion.isEmpty() ? "choose a name such as pgdata" : "use a name such as \"" + suggestion + "\""));
        }
    }

    /** The nearest DNS label to {@code s}: lowercase, other characters to '-', trimmed; empty if nothing is left. */
    public static String toDnsLabel(String s) {
        String l = s.toLowerCase().replaceAll("[^a-z0-9-]", "-").replaceAll("-{2,}", "-");
        l = l.replaceAll("^-+", "").replaceAll("-+$", "");
        if (l.length() > 63) {
            l = l.substring(0, 63).replaceAll("-+$", "");
        }
        return l;
    }

    private static void checkStringMap(JsonNode m, String path, boolean labelValues, List<FieldError> out) {
        if (m == null || m.isNull()) {
            return;
        }
        if (!m.isObject()) {
            out.add(new FieldError(path, Type.TYPE_INVALID, "must be a map of strings", "write key: value pairs"));
            return;
        }
        for (Map.Entry<String, JsonNode> e : m.properties()) {
            String p = FieldPath.key(path, e.getKey());
            if (!isQualifiedName(e.getKey())) {
                out.add(new FieldError(p, Type.INVALID, "key \"" + e.getKey() + "\" is not a qualified name",
                        "use [prefix/]name, where name is at most 63 characters of letters, digits, '-', '_', '.'"));
            }
            JsonNode v = e.getValue();
            if (!v.isTextual()) {
                out.add(new FieldError(p, Type.TYPE_INVALID, "must be a string, got " + v.getNodeType().name().toLowerCase(),
                        "quote the value: \"" + v.asText() + "\""));
            } else if (labelValues && (v.textValue().length() > 63 || !LABEL_VALUE.matcher(v.textValue()).matches())) {
                out.add(new FieldError(p, Type.INVALID, "label value \"" + v.textValue() + "\" is not valid",
                        "use at most 63 letters, digits, '-', '_', '.', starting and ending with a letter or digit"));
            }
        }
    }

    static boolean isQualifiedName(String k) {
        int slash = k.indexOf('/');
        String name = slash < 0 ? k : k.substring(slash + 1);
        if (slash >= 0) {
            String prefix = k.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                return false;
            }
        }
        return !name.isEmpty() && name.length() <= 63 && QUALIFIED_NAME_PART.matcher(name).matches();
    }

    static boolean isDateTime(String s) {
        try {
            OffsetDateTime.parse(s);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
