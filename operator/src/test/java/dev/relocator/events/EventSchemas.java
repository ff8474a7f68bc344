package dev.relocator.events;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/** The event contract in docs/events/schemas, loaded from the source tree, as a validator. */
final class EventSchemas {

    static final String BASE = "https://relocator.dev/schemas/events/";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path directory;
    private final JsonSchemaFactory factory;
    private final Map<String, JsonSchema> byType = new ConcurrentHashMap<>();

    EventSchemas() {
        this(locate());
    }

    EventSchemas(Path directory) {
        this.directory = directory;
        this.factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7, b -> b
                .schemaMappers(m -> m.mapPrefix(BASE, directory.toUri().toString())));
    }

    /** docs/events/schemas from the operator module (Maven runs tests there) or from the root. */
    static Path locate() {
        for (Path candidate : new Path[] {Path.of("..", "docs", "events", "schemas"), Path.of("docs", "events", "schemas")}) {
            if (Files.isDirectory(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("docs/events/schemas not found from " + Path.of("").toAbsolutePath());
    }

    /** Validates one structured-mode CloudEvent against the schema of its type; returns the problems. */
    Set<String> validate(String json) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (Exception e) {
            return Set.of("not JSON: " + e.getMessage());
        }
        String type = node.path("type").asText("");
        if (!type.startsWith("dev.relocator.")) {
            return Set.of("type is not under dev.relocator.: '" + type + "'");
        }
        String file = type.substring("dev.relocator.".length()) + ".schema.json";
        if (!Files.exists(directory.resolve(file))) {
            return Set.of("no schema " + file + " for type " + type + " in " + directory);
        }
        JsonSchema schema = byType.computeIfAbsent(file, f -> factory.getSchema(SchemaLocation.of(BASE + f),
                SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build()));
        return schema.validate(node).stream().map(ValidationMessage::getMessage).collect(Collectors.toSet());
    }
}
