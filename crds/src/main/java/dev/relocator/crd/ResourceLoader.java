package dev.relocator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relocator.crd.load.DocumentParser;
import dev.relocator.crd.load.ParseException;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.model.RelocatorConfig;
import dev.relocator.crd.validation.FieldError;
import dev.relocator.crd.validation.ResourceValidator;
import dev.relocator.crd.validation.ValidationException;
import dev.relocator.crd.validation.ValidationOptions;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads RelocatableVolumes from YAML or JSON: one document or many ({@code ---} separated
 * YAML, concatenated JSON values, or a {@code List}/{@code RelocatableVolumeList} with
 * {@code items}), applies the CRD's defaults and validates each. A bad document does not
 * hide the others: every document gets its own outcome.
 */
public final class ResourceLoader {

    private final DocumentParser parser;
    private final ResourceValidator validator;
    private final ResourceValidator configValidator;

    public ResourceLoader(ValidationOptions options) {
        this.parser = new DocumentParser(options.limits());
        this.validator = ResourceValidator.relocatableVolumes(options);
        this.configValidator = ResourceValidator.relocatorConfigs(options);
    }

    public ResourceValidator validator() {
        return validator;
    }

    /** One document of the input, in input order; {@code resource} is set exactly when {@code errors} is empty. */
    public record Document(int index, String name, RelocatableVolume resource, List<FieldError> errors) {
        public Document {
            errors = List.copyOf(errors);
        }

        public boolean valid() {
            return errors.isEmpty();
        }
    }

    /** Everything read from one input; {@code inputErrors} are about the input as a whole (syntax, size). */
    public record Result(List<Document> documents, List<FieldError> inputErrors) {
        public Result {
            documents = List.copyOf(documents);
            inputErrors = List.copyOf(inputErrors);
        }

        public boolean valid() {
            return inputErrors.isEmpty() && documents.stream().allMatch(Document::valid);
        }

        public List<RelocatableVolume> resources() {
            return documents.stream().filter(Document::valid).map(Document::resource).collect(Collectors.toList());
        }

        /** Every error of the input, in order. */
        public List<FieldError> errors() {
            List<FieldError> all = new ArrayList<>(inputErrors);
            documents.forEach(d -> all.addAll(d.errors()));
            return all;
        }
    }

    public Result load(String text) {
        return load(text.getBytes(StandardCharsets.UTF_8));
    }

    public Result load(byte[] input) {
        List<JsonNode> docs;
        try {
            docs = parser.parse(input);
        } catch (ParseException e) {
            return new Result(List.of(), List.of(e.error()));
        }
        List<Document> out = new ArrayList<>();
        for (JsonNode d : docs) {
            if (isList(d)) {
                for (JsonNode item : d.path("items")) {
                    out.add(validate(out.size(), item));
                }
            } else {
                out.add(validate(out.size(), d));
            }
        }
        return new Result(out, List.of());
    }

    /** Exactly one valid resource, or a {@link ValidationException} with every error. */
    public RelocatableVolume loadOne(String text) {
        Result r = load(text);
        if (!r.inputErrors().isEmpty()) {
            throw new ValidationException(RelocatableVolume.KIND, null, r.inputErrors());
        }
        if (r.documents().size() != 1) {
            throw new ValidationException(RelocatableVolume.KIND, null, List.of(new FieldError("",
                    FieldError.Type.TOO_MANY, "expected one resource, found " + r.documents().size(),
                    "give one resource per call, or read the input with load()")));
        }
        Document d = r.documents().get(0);
        if (!d.valid()) {
            throw new ValidationException(RelocatableVolume.KIND, d.name(), d.errors());
        }
        return d.resource();
    }

    /**
     * The one RelocatorConfig in {@code text}, defaulted and validated, or a
     * {@link ValidationException} with every error.
     */
    public RelocatorConfig loadConfig(String text) {
        List<JsonNode> docs;
        try {
            docs = parser.parse(text.getBytes(StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw new ValidationException(RelocatorConfig.KIND, null, List.of(e.error()));
        }
        if (docs.size() != 1) {
            throw new ValidationException(RelocatorConfig.KIND, null, List.of(new FieldError("",
                    FieldError.Type.TOO_MANY, "expected one RelocatorConfig, found " + docs.size() + " documents",
                    "keep the single object named " + RelocatorConfig.NAME)));
        }
        return configValidator.require(docs.get(0), RelocatorConfig.class);
    }

    private Document validate(int index, JsonNode d) {
        ResourceValidator.Result r = validator.validate(d);
        String name = Optional.ofNullable(d).map(n -> n.path("metadata").path("name").asText(null)).orElse(null);
        return new Document(index, name, r.resource().orElse(null), r.errors());
    }

    private static boolean isList(JsonNode d) {
        String kind = d.path("kind").asText("");
        String apiVersion = d.path("apiVersion").asText("");
        return d.path("items").isArray() && ((kind.equals("List") && apiVersion.equals("v1"))
                || (kind.equals(RelocatableVolume.LIST_KIND) && apiVersion.equals(RelocatableVolume.API_VERSION)));
    }
}
