package dev.relocator.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.relocator.core.events.StateChange;

class EventBufferTest {

    private static StateChange change(String volume, long epoch, String phase) {
        return new StateChange(StateChange.Types.PHASE_CHANGED, volume, volume, epoch, phase, Instant.EPOCH,
                Map.of("n", epoch));
    }

    @Test
    void keepsOneInFlightPerKeyAndOrderWithinKey() {
        EventBuffer b = new EventBuffer(100);
        b.offer(change("a", 1, "Fencing"));
        b.offer(change("a", 1, "Detaching"));
        b.offer(change("b", 1, "Fencing"));

        EventBuffer.Entry first = b.next(0);
        EventBuffer.Entry second = b.next(0);
        assertEquals("a", first.key());
        assertEquals("Fencing", first.change().phase());
        assertEquals("b", second.key(), "a has one in flight, so b goes next");
        assertNull(b.next(0), "both keys have one in flight");

        b.acked(first);
        EventBuffer.Entry third = b.next(0);
        assertEquals("Detaching", third.change().phase());
        assertEquals(2, third.sequence());
    }

    @Test
    void failedEntryIsRetriedFirstAfterItsBackoff() {
        EventBuffer b = new EventBuffer(100);
        b.offer(change("a", 1, "Fencing"));
        b.offer(change("a", 1, "Detaching"));
        EventBuffer.Entry e = b.next(0);
        assertEquals(1, b.failed(e, 1_000));
        assertNull(b.next(500), "backing off");
        assertEquals(1_000, b.nextRetryAt(500).getAsLong());
        EventBuffer.Entry retried = b.next(1_000);
        assertEquals(e.id(), retried.id(), "same event id on retry: a duplicate is recognisable");
        assertEquals("Fencing", retried.change().phase());
    }

    @Test
    void overflowReplacesTheNoisiestKeysBacklogBySnapshotWithItsLatestState() {
        EventBuffer b = new EventBuffer(5);
        b.offer(change("noisy", 1, "Fencing"));
        EventBuffer.Entry inFlight = b.next(0);
        for (int i = 2; i <= 5; i++) {
            b.offer(change("noisy", i, "Attached"));
        }
        assertEquals(5, b.transitions());
        b.offer(change("quiet", 1, "Attaching"));

        List<EventBuffer.Entry> noisy = b.pending("noisy");
        assertEquals(2, noisy.size(), "in-flight entry kept, backlog collapsed: " + noisy);
        assertEquals(inFlight, noisy.get(0));
        EventBuffer.Entry snapshot = noisy.get(1);
        assertTrue(snapshot.snapshot());
        assertEquals(4, snapshot.missed());
        assertEquals(5, snapshot.change().epoch());
        assertEquals(5, snapshot.sequence(), "a snapshot carries the sequence of the state it stands for");
        assertEquals(StateChange.Types.PHASE_CHANGED, snapshot.replacedType());
        assertEquals(Map.of("n", 5L), snapshot.change().data());
        assertEquals("Attaching", b.pending("quiet").get(0).change().phase(), "the quiet key keeps its transition");
        assertEquals(4, b.replacedBySnapshot());
        assertEquals(2, b.transitions());
        assertEquals(1, b.snapshots());
    }

    @Test
    void overflowWithOnlySingleEntriesCollapsesTheIncomingKey() {
        EventBuffer b = new EventBuffer(2);
        b.offer(change("a", 1, "Attached"));
        b.offer(change("b", 1, "Attached"));
        b.offer(change("c", 1, "Attached"));
        b.offer(change("c", 2, "Fencing"));
        List<EventBuffer.Entry> c = b.pending("c");
        assertEquals(1, c.size());
        assertTrue(c.get(0).snapshot());
        assertEquals(2, c.get(0).missed(), "both of c's changes are represented by the snapshot");
        assertEquals("Fencing", c.get(0).change().phase());
        assertEquals(2, b.transitions());
    }

    @Test
    void neverExceedsTheBoundAndNeverLosesTheLatestStateOfAKey() {
        Random random = new Random(42);
        EventBuffer b = new EventBuffer(10);
        Map<String, Long> latestEpoch = new java.util.HashMap<>();
        Map<String, Long> deliveredEpoch = new java.util.HashMap<>();
        Map<String, Long> lastDeliveredSequence = new java.util.HashMap<>();
        List<EventBuffer.Entry> inFlight = new ArrayList<>();
        long epoch = 0;
        for (int step = 0; step < 20_000; step++) {
            int action = random.nextInt(10);
            if (action < 6) {
                String key = "v" + random.nextInt(6);
                b.offer(change(key, ++epoch, "Attached"));
                latestEpoch.put(key, epoch);
            } else if (action < 8) {
                EventBuffer.Entry e = b.next(step);
                if (e != null) {
                    inFlight.add(e);
                }
            } else if (!inFlight.isEmpty()) {
                EventBuffer.Entry e = inFlight.remove(random.nextInt(inFlight.size()));
                if (random.nextBoolean()) {
                    b.acked(e);
                    Long previous = lastDeliveredSequence.put(e.key(), e.sequence());
                    assertTrue(previous == null || previous < e.sequence(), "per-key order: " + previous + " then " + e);
                    if (previous != null && e.sequence() != previous + 1) {
                        assertTrue(e.snapshot(), "a sequence gap is always announced by a snapshot: " + e);
                        assertEquals(e.sequence() - previous, e.missed(), "the snapshot counts what was missed");
                    }
                    deliveredEpoch.put(e.key(), e.change().epoch());
                } else {
                    b.failed(e, step + random.nextInt(3));
                }
            }
            assertTrue(b.transitions() <= 10, "bound exceeded: " + b.transitions());
        }
        // drain everything: each key ends with its latest state delivered
        for (EventBuffer.Entry e : inFlight) {
            b.failed(e, 0);
        }
        for (EventBuffer.Entry e = b.next(Long.MAX_VALUE / 2); e != null; e = b.next(Long.MAX_VALUE / 2)) {
            b.acked(e);
            Long previous = lastDeliveredSequence.put(e.key(), e.sequence());
            assertTrue(previous == null || previous < e.sequence());
            if (previous != null && e.sequence() != previous + 1) {
                assertTrue(e.snapshot());
            }
            deliveredEpoch.put(e.key(), e.change().epoch());
        }
        assertEquals(latestEpoch, deliveredEpoch);
        assertEquals(0, b.size());
        assertTrue(b.snapshotsCreated() > 0, "the scenario must overflow to test anything");
    }

    @Test
    void negativeClockValuesDoNotLookLikeABackoff() {
        EventBuffer b = new EventBuffer(10);
        b.offer(change("a", 1, "Attached"));
        long now = -9_000_000_000L; // System.nanoTime() may be negative
        EventBuffer.Entry e = b.next(now);
        assertNotNull(e, "a key that never failed is sendable at any clock value");
        b.failed(e, now + 1_000);
        assertNull(b.next(now + 999));
        assertNotNull(b.next(now + 1_000));
    }

    @Test
    void rejectsANonPositiveBound() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EventBuffer(0));
        assertTrue(e.getMessage().contains("relocator.events.buffer-size"));
    }

    @Test
    void staleAcksAreIgnored() {
        EventBuffer b = new EventBuffer(10);
        b.offer(change("a", 1, "Attached"));
        EventBuffer.Entry e = b.next(0);
        b.acked(e);
        b.acked(e);
        assertEquals(0, b.size());
        assertFalse(b.nextRetryAt(0).isPresent());
        assertNotNull(e.id());
    }
}
