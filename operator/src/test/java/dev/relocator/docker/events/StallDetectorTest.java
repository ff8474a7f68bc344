package dev.relocator.docker.events;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StallDetectorTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final StallDetector detector = new StallDetector(Duration.ofSeconds(10), Duration.ofSeconds(60), now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void silenceWithoutPingsIsAStall() {
        advance(Duration.ofSeconds(10));
        assertEquals(StallDetector.Verdict.HEALTHY, detector.verdict());
        advance(Duration.ofMillis(1));
        assertEquals(StallDetector.Verdict.STALLED, detector.verdict());
    }

    @Test
    void eventsOrPingsProveTheStreamAlive() {
        advance(Duration.ofSeconds(8));
        detector.pingSucceeded();
        advance(Duration.ofSeconds(8));
        assertEquals(StallDetector.Verdict.HEALTHY, detector.verdict());
        detector.eventReceived();
        advance(Duration.ofSeconds(9));
        assertEquals(StallDetector.Verdict.HEALTHY, detector.verdict());
    }

    @Test
    void aQuietStreamIsReopenedAfterTheQuietLimitEvenWithPings() {
        for (int i = 0; i < 12; i++) {
            advance(Duration.ofSeconds(5));
            detector.pingSucceeded();
            if (i < 11) {
                assertEquals(StallDetector.Verdict.HEALTHY, detector.verdict(), "at " + (i + 1) * 5 + " s");
            }
        }
        advance(Duration.ofMillis(1));
        assertEquals(StallDetector.Verdict.QUIET_TOO_LONG, detector.verdict());
    }

    @Test
    void aNewStreamStartsHealthy() {
        advance(Duration.ofMinutes(5));
        assertEquals(StallDetector.Verdict.STALLED, detector.verdict());
        detector.streamOpened();
        assertEquals(StallDetector.Verdict.HEALTHY, detector.verdict());
    }

    @Test
    void rejectsInconsistentSettings() {
        assertThrows(IllegalArgumentException.class, () -> new StallDetector(Duration.ZERO, Duration.ofSeconds(1), now::get));
        assertThrows(IllegalArgumentException.class, () -> new StallDetector(Duration.ofSeconds(10), Duration.ofSeconds(5), now::get));
    }
}
