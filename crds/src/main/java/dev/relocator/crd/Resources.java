package dev.relocator.crd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.relocator.crd.load.DocumentParser;
import dev.relocator.crd.load.ParseException;
import dev.relocator.crd.load.ParseLimits;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.schema.CustomResourceDefinition;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** Shared, immutable plumbing: the CRDs shipped in this jar and the JSON/YAML mapping of the model. */
public final class Resources {

    /** Where the pom puts {@code crds/definitions/*.yaml} inside the jar. */
    public static final String CRD_RESOURCE_DIR = "META-INF/relocator/crds/";
    public static final String RELOCATABLE_VOLUME_CRD = CRD_RESOURCE_DIR + "relocatablevolume.yaml";
    public static final String RELOCATOR_CONFIG_CRD = CRD_RESOURCE_DIR + "relocatorconfig.yaml";

    private static final ObjectMapper JSON = configure(JsonMapper.builder().build());
    private static final ObjectMapper YAML = configure(YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build());

    private Resources() {
    }

    private static ObjectMapper configure(ObjectMapper m) {
        return m.registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    /** A copy of the JSON mapper configured for the model (ISO timestamps, strict properties). */
    public static ObjectMapper jsonMapper() {
        return JSON.copy();
    }

    public static JsonNode toTree(Object resource) {
        return JSON.valueToTree(resource);
    }

    public static String toJson(Object resource) {
        try {
            return JSON.writeValueAsString(resource);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a resource record always serialises", e);
        }
    }

    public static String toYaml(Object resource) {
        try {
            return YAML.writeValueAsString(resource);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a resource record always serialises", e);
        }
    }

    /** Maps a validated, defaulted tree onto the model; a failure here is a bug in the schema or the model. */
    public static RelocatableVolume fromTree(JsonNode validated) {
        return fromTree(validated, RelocatableVolume.class);
    }

    /** Maps a validated, defaulted tree onto a model class. */
    public static <T> T fromTree(JsonNode validated, Class<T> type) {
        try {
            return JSON.treeToValue(validated, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("validated resource does not map onto " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** The RelocatableVolume CRD of this jar, parsed once. */
    public static CustomResourceDefinition relocatableVolumeCrd() {
        return CrdHolder.RELOCATABLE_VOLUME;
    }

    /** Reads a CRD from the classpath with this module's own YAML parser. */
    public static CustomResourceDefinition loadCrd(String resource) {
        try (InputStream in = Resources.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("CRD " + resource + " is not on the classpath");
            }
            // trusted input from our own jar: larger bounds than for user resources, still no aliases
            List<JsonNode> docs = new DocumentParser(new ParseLimits(4 << 20, 4 << 20, 0, 128, 1_000_000))
                    .parse(in.readAllBytes());
            return CustomResourceDefinition.of(docs.get(0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ParseException e) {
            throw new IllegalStateException("CRD " + resource + " does not parse: " + e.getMessage(), e);
        }
    }

    /** The RelocatorConfig CRD of this jar, parsed once. */
    public static CustomResourceDefinition relocatorConfigCrd() {
        return CrdHolder.RELOCATOR_CONFIG;
    }

    private static final class CrdHolder {
        static final CustomResourceDefinition RELOCATABLE_VOLUME = loadCrd(RELOCATABLE_VOLUME_CRD);
        static final CustomResourceDefinition RELOCATOR_CONFIG = loadCrd(RELOCATOR_CONFIG_CRD);
    }
}
