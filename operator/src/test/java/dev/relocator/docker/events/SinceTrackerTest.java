package dev.relocator.docker.events;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SinceTrackerTest {

    private static final long SEC = 1_000_000_000L;

    private static DockerEvent event(String id, String action, long timeNano) {
        return new DockerEvent(new ObjectRef(ObjectKind.CONTAINER, id), action, timeNano, Map.of());
    }

    @Test
    void formatsSecondsDotNanosecondsAsTheDaemonParsesIt() {
        assertEquals("1700000000.000000001", SinceTracker.format(1_700_000_000L * SEC + 1));
        assertEquals("1700000000.123456789", SinceTracker.format(1_700_000_000L * SEC + 123_456_789));
        assertEquals("0.000000000", SinceTracker.format(0));
    }

    @Test
    void emptyBeforeAnythingWasReadThenTheStreamOpeningTime() {
        SinceTracker t = new SinceTracker(0);
        assertTrue(t.since().isEmpty());
        t.streamOpenedAt(100 * SEC);
        assertEquals("100.000000000", t.since().orElseThrow());
    }

    @Test
    void resumesAnOverlapBeforeTheNewestEvent() {
        SinceTracker t = new SinceTracker(SEC);
        t.accept(event("a", "start", 100 * SEC));
        t.accept(event("a", "die", 105 * SEC + 5));
        assertEquals("104.000000005", t.since().orElseThrow());
    }

    @Test
    void aStragglerStampedEarlierDoesNotMoveThePositionBack() {
        SinceTracker t = new SinceTracker(SEC);
        assertTrue(t.accept(event("a", "start", 105 * SEC)));
        assertTrue(t.accept(event("b", "start", 104 * SEC + 500_000_000L)), "an out-of-order event is still delivered");
        assertEquals(105 * SEC, t.newestNanos());
    }

    @Test
    void dropsEventsReplayedFromTheOverlapAfterAReconnect() {
        SinceTracker t = new SinceTracker(SEC);
        DockerEvent first = event("a", "start", 100 * SEC);
        DockerEvent second = event("a", "die", 100 * SEC + 300_000_000L);
        assertTrue(t.accept(first));
        assertTrue(t.accept(second));
        // the daemon replays from since = newest - overlap (inclusive): both come again
        assertFalse(t.accept(first));
        assertFalse(t.accept(second));
        DockerEvent missed = event("b", "start", 100 * SEC + 400_000_000L);
        assertTrue(t.accept(missed), "what happened while disconnected is new");
        assertTrue(t.accept(event("a", "start", 100 * SEC + 1)), "same object and action at another time is another event");
    }

    @Test
    void forgetsIdentitiesOlderThanTheOverlapSoMemoryStaysBounded() {
        SinceTracker t = new SinceTracker(SEC);
        DockerEvent old = event("a", "start", 100 * SEC);
        t.accept(old);
        t.accept(event("b", "start", 110 * SEC));
        // 'old' is below since (109 s): the daemon will never replay it, so forgetting it is safe
        assertTrue(t.accept(old));
    }
}
