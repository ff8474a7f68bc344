package dev.relocator.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.relocator.core.events.StateChange;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;

class CloudEventMapperTest {

    private final CloudEventMapper mapper = new CloudEventMapper("node 1", "boot-1");

    @Test
    void mapsAttributesAndData() {
        EventBuffer b = new EventBuffer(10);
        Instant t = Instant.parse("2026-12-04T20:00:00Z");
        EventBuffer.Entry e = b.offer(new StateChange(StateChange.Types.PHASE_CHANGED, "pgdata", "pgdata", 7,
                "Fencing", t, Map.of("fromNode", "w1", "took", Duration.ofMillis(1500), "list", List.of(t))));
        OutgoingCloudEventMetadata<Object> md = mapper.metadata(e);
        assertEquals(e.id(), md.getId());
        assertEquals("/relocator/node+1", md.getSource().toString());
        assertEquals(StateChange.Types.PHASE_CHANGED, md.getType());
        assertEquals("pgdata", md.getSubject().orElseThrow());
        assertEquals(t, md.getTimeStamp().orElseThrow().toInstant());

        Map<String, Object> data = mapper.data(e);
        assertEquals("volume", data.get("kind"));
        assertEquals(7L, data.get("epoch"));
        assertEquals("Fencing", data.get("phase"));
        assertEquals(1L, data.get("sequence"));
        assertEquals("boot-1", data.get("boot"));
        assertEquals(Map.of("fromNode", "w1", "took", "PT1.5S", "list", List.of("2026-12-04T20:00:00Z")),
                data.get("details"));
        assertFalse(data.containsKey("missed"));
    }

    @Test
    void nodeEventsAndTheirSnapshotsAreOfKindNode() {
        EventBuffer b = new EventBuffer(1);
        b.offer(new StateChange(StateChange.Types.LEASE_LOST, "w1", "w1", 0, "Down", Instant.EPOCH, Map.of()));
        b.offer(new StateChange(StateChange.Types.LEASE_LOST, "w1", "w1", 0, "Down", Instant.EPOCH, Map.of()));
        EventBuffer.Entry snapshot = b.pending("w1").get(0);
        Map<String, Object> data = mapper.data(snapshot);
        assertEquals("node", data.get("kind"));
        assertEquals(StateChange.Types.LEASE_LOST, data.get("replacedType"));
        assertEquals(2, data.get("missed"));
    }
}
