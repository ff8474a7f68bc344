package dev.relocator.crd.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.crd.Resources;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.schema.CustomResourceDefinition;
import dev.relocator.crd.schema.Defaulter;
import dev.relocator.crd.schema.SchemaNode;
import dev.relocator.crd.schema.SchemaValidator;
import dev.relocator.crd.validation.FieldError.Type;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Validates one RelocatableVolume given as a JSON tree: identity (apiVersion, kind), size,
 * then schema defaulting, the CRD's schema, metadata rules and the semantic rules. All
 * errors are collected; a semantic error on a field that already has a schema error is
 * dropped, since it would only restate it.
 */
public final class ResourceValidator {

    private static final ObjectMapper COMPACT = new ObjectMapper();

    private final CustomResourceDefinition crd;
    private final ValidationOptions options;
    private final Map<String, SchemaValidator> validators;
    private final SemanticRules semantic;

    public ResourceValidator(CustomResourceDefinition crd, ValidationOptions options, SemanticRules semantic) {
        this.crd = crd;
        this.options = options;
        this.validators = crd.versions().entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey,
                e -> new SchemaValidator(e.getValue(), Set.of("metadata"))));
        this.semantic = semantic;
    }

    /** A validator for RelocatableVolume with the CRD shipped in this jar. */
    public static ResourceValidator relocatableVolumes(ValidationOptions options) {
        return new ResourceValidator(Resources.relocatableVolumeCrd(), options, new SemanticValidator(options));
    }

    /** A validator for the RelocatorConfig singleton with the CRD shipped in this jar. */
    public static ResourceValidator relocatorConfigs(ValidationOptions options) {
        return new ResourceValidator(Resources.relocatorConfigCrd(), options, RelocatorConfigRules::check);
    }

    public CustomResourceDefinition crd() {
        return crd;
    }

    public ValidationOptions options() {
        return options;
    }

    /** The outcome: the defaulted tree (only when valid) and every error. */
    public record Result(ObjectNode defaulted, List<FieldError> errors) {
        public Result {
            errors = List.copyOf(errors);
        }

        public boolean valid() {
            return errors.isEmpty();
        }

        public Optional<RelocatableVolume> resource() {
            return as(RelocatableVolume.class);
        }

        /** The valid resource mapped onto its model class. */
        public <T> Optional<T> as(Class<T> type) {
            return valid() ? Optional.of(Resources.fromTree(defaulted, type)) : Optional.empty();
        }
    }

    public Result validate(JsonNode raw) {
        if (raw == null || !raw.isObject()) {
            return new Result(null, List.of(new FieldError("", Type.TYPE_INVALID,
                    "a resource must be a mapping (object), got " + (raw == null ? "nothing" : raw.getNodeType().name().toLowerCase()),
                    "write apiVersion, kind, metadata and spec as keys of one mapping")));
        }
        List<FieldError> errors = new ArrayList<>();
        SchemaNode schema = identify(raw, errors);
        if (schema == null) {
            return new Result(null, errors);
        }
        int size = size(raw);
        if (size > options.limits().maxResourceBytes()) {
            return new Result(null, List.of(new FieldError("", Type.TOO_LONG, "the resource is " + size
                    + " bytes as JSON, the limit is " + options.limits().maxResourceBytes(),
                    "keep large data out of the resource (annotations, driver options)")));
        }
        ObjectNode copy = raw.deepCopy();
        Defaulter.apply(copy, schema);
        errors.addAll(validators.get(versionOf(raw)).validate(copy));
        MetadataValidator.validate(copy.get("metadata"), crd.kind(), errors);
        Set<String> reported = errors.stream().map(FieldError::field).collect(Collectors.toSet());
        for (FieldError e : semantic.check(copy)) {
            if (!reported.contains(e.field())) {
                errors.add(e);
            }
        }
        return new Result(errors.isEmpty() ? copy : null, errors);
    }

    /** Validates a model instance (e.g. one built in code or read back from storage). */
    public Result validate(RelocatableVolume rv) {
        return validate(Resources.toTree(rv));
    }

    /** The defaulted, valid resource, or a {@link ValidationException} with every error. */
    public RelocatableVolume require(JsonNode raw) {
        return require(raw, RelocatableVolume.class);
    }

    /** The defaulted, valid resource as {@code type}, or a {@link ValidationException} with every error. */
    public <T> T require(JsonNode raw, Class<T> type) {
        Result r = validate(raw);
        if (!r.valid()) {
            throw new ValidationException(crd.kind(), raw == null ? null : raw.path("metadata").path("name").asText(null), r.errors());
        }
        return r.as(type).orElseThrow();
    }

    private SchemaNode identify(JsonNode raw, List<FieldError> errors) {
        JsonNode apiVersion = raw.get("apiVersion");
        JsonNode kind = raw.get("kind");
        String expected = crd.apiVersion(firstVersion());
        if (apiVersion == null || !apiVersion.isTextual() || apiVersion.textValue().isEmpty()) {
            errors.add(new FieldError("apiVersion", Type.REQUIRED, "is required", "add apiVersion: " + expected));
        } else if (!apiVersion.textValue().startsWith(crd.group() + "/")) {
            errors.add(new FieldError("apiVersion", Type.NOT_SUPPORTED, "unsupported apiVersion \"" + apiVersion.textValue()
                    + "\"", "use apiVersion: " + expected));
        } else if (crd.schema(versionOf(raw)).isEmpty()) {
            errors.add(new FieldError("apiVersion", Type.NOT_SUPPORTED, "version \"" + versionOf(raw) + "\" of "
                    + crd.group() + " is not served", "use apiVersion: " + expected));
        }
        if (kind == null || !kind.isTextual() || kind.textValue().isEmpty()) {
            errors.add(new FieldError("kind", Type.REQUIRED, "is required", "add kind: " + crd.kind()));
        } else if (!kind.textValue().equals(crd.kind())) {
            errors.add(new FieldError("kind", Type.NOT_SUPPORTED, "unsupported kind \"" + kind.textValue() + "\"",
                    Suggest.closest(kind.textValue(), List.of(crd.kind())).map(c -> "did you mean " + c + "? ").orElse("")
                            + "use kind: " + crd.kind()));
        }
        return errors.isEmpty() ? crd.schema(versionOf(raw)).orElseThrow() : null;
    }

    private String firstVersion() {
        return crd.versions().keySet().stream().sorted().findFirst().orElseThrow();
    }

    private static String versionOf(JsonNode raw) {
        String av = raw.path("apiVersion").asText("");
        int slash = av.indexOf('/');
        return slash < 0 ? av : av.substring(slash + 1);
    }

    private static int size(JsonNode raw) {
        try {
            return COMPACT.writeValueAsString(raw).getBytes(StandardCharsets.UTF_8).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
