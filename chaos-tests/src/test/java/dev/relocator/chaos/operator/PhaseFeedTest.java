package dev.relocator.chaos.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The CloudEvents of relocator.events as the operator writes them (docs/events/README.md). */
class PhaseFeedTest {

    @Test
    void aVolumePhaseChangeIsReadWithItsEpochAndNode() {
        String event = """
                {"specversion":"1.0","id":"x","source":"/relocator/controller","type":"dev.relocator.volume.phase.changed",
                 "subject":"pgdata","time":"2026-12-04T21:57:53Z",
                 "data":{"kind":"volume","epoch":2,"phase":"Starting","sequence":9,"boot":"b","details":{"node":"abc123","target":"def456"}}}""";
        PhaseFeed.Phase p = PhaseFeed.parse(event).orElseThrow();
        assertEquals("pgdata", p.volume());
        assertEquals("Starting", p.phase());
        assertEquals(2, p.epoch());
        assertEquals("abc123", p.node());
    }

    @Test
    void otherEventsAndGarbageAreSkipped() {
        assertTrue(PhaseFeed.parse("{\"type\":\"dev.relocator.node.health.changed\",\"subject\":\"w1\",\"data\":{}}").isEmpty());
        assertTrue(PhaseFeed.parse("not json").isEmpty());
    }

    @Test
    void everyEventKeepsItsTypeSubjectReasonAndDetails() {
        String event = """
                {"specversion":"1.0","id":"y","source":"/relocator/controller","type":"dev.relocator.error","subject":"pgdata",
                 "data":{"kind":"volume","epoch":0,"phase":"FenceHookFailed","details":{"node":"w1","detail":"the fence hook failed"}}}""";
        PhaseFeed.Event e = PhaseFeed.parseEvent(event).orElseThrow();
        assertEquals("dev.relocator.error", e.type());
        assertEquals("pgdata", e.subject());
        assertEquals("FenceHookFailed", e.phase());
        assertEquals("w1", e.details().path("node").asText());
        assertTrue(PhaseFeed.parseEvent("not json").isEmpty());
    }
}
