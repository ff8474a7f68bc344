package dev.relocator.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.relocator.core.events.StateChange;

/** The schemas themselves: every event type has one, and they accept good and reject bad events. */
class EventSchemasTest {

    private final EventSchemas schemas = new EventSchemas();

    private static String event(String type, String data) {
        return """
                {"specversion":"1.0","id":"e1","source":"/relocator/m1","type":"%s","subject":"pgdata",
                 "time":"2026-12-04T20:00:00Z","datacontenttype":"application/json","data":%s}
                """.formatted(type, data);
    }

    @Test
    void everyDeclaredTypeHasASchema() throws Exception {
        for (var field : StateChange.Types.class.getFields()) {
            String type = (String) field.get(null);
            Path file = EventSchemas.locate().resolve(type.substring("dev.relocator.".length()) + ".schema.json");
            assertTrue(Files.exists(file), "missing schema for " + type + ": " + file);
        }
        try (Stream<Path> files = Files.list(EventSchemas.locate())) {
            assertEquals(StateChange.Types.class.getFields().length + 2, files.count(),
                    "one schema per type plus the envelope and the common data");
        }
    }

    @Test
    void acceptsAValidPhaseChange() {
        Set<String> problems = schemas.validate(event(StateChange.Types.PHASE_CHANGED,
                "{\"kind\":\"volume\",\"epoch\":7,\"phase\":\"Fencing\",\"sequence\":3,\"boot\":\"b\",\"details\":{}}"));
        assertEquals(Set.of(), problems);
    }

    @Test
    void rejectsUnknownPhaseMissingFieldsAndBadEnvelope() {
        assertFalse(schemas.validate(event(StateChange.Types.PHASE_CHANGED,
                "{\"kind\":\"volume\",\"epoch\":7,\"phase\":\"Moving\",\"sequence\":3,\"boot\":\"b\",\"details\":{}}"))
                .isEmpty(), "unknown phase");
        assertFalse(schemas.validate(event(StateChange.Types.PHASE_CHANGED,
                "{\"kind\":\"volume\",\"epoch\":7,\"phase\":\"Fencing\",\"boot\":\"b\",\"details\":{}}"))
                .isEmpty(), "no sequence");
        assertFalse(schemas.validate(event(StateChange.Types.RESYNC_SNAPSHOT,
                "{\"kind\":\"volume\",\"epoch\":7,\"phase\":\"Fencing\",\"sequence\":3,\"boot\":\"b\",\"details\":{}}"))
                .isEmpty(), "snapshot without missed/replacedType");
        assertFalse(schemas.validate(event(StateChange.Types.LEASE_LOST,
                "{\"kind\":\"volume\",\"epoch\":0,\"sequence\":1,\"boot\":\"b\",\"details\":{}}"))
                .isEmpty(), "node event of kind volume");
        assertFalse(schemas.validate(event(StateChange.Types.PHASE_CHANGED,
                "{\"kind\":\"volume\",\"epoch\":7,\"phase\":\"Fencing\",\"sequence\":3,\"boot\":\"b\",\"details\":{}}")
                .replace("\"1.0\"", "\"0.3\"")).isEmpty(), "wrong specversion");
        assertFalse(schemas.validate(event(StateChange.Types.PHASE_CHANGED,
                "{\"kind\":\"volume\",\"epoch\":7,\"phase\":\"Fencing\",\"sequence\":3,\"boot\":\"b\",\"details\":{}}")
                .replace("2026-12-04T20:00:00Z", "yesterday")).isEmpty(), "time not RFC 3339");
        assertFalse(schemas.validate(event("dev.relocator.volume.teleported", "{}")).isEmpty(), "unknown type");
    }
}
