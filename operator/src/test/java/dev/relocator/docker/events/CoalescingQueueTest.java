package dev.relocator.docker.events;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoalescingQueueTest {

    private static Map.Entry<String, Integer> take(CoalescingQueue<String, Integer> q) throws InterruptedException {
        return q.poll(0, TimeUnit.MILLISECONDS).orElseThrow();
    }

    @Test
    void oneKeyKeepsItsPlaceAndOnlyItsLatestValue() throws Exception {
        CoalescingQueue<String, Integer> q = new CoalescingQueue<>(10);
        assertEquals(CoalescingQueue.Offer.ADDED, q.offer("a", 1));
        assertEquals(CoalescingQueue.Offer.ADDED, q.offer("b", 1));
        assertEquals(CoalescingQueue.Offer.COALESCED, q.offer("a", 2));
        assertEquals(CoalescingQueue.Offer.COALESCED, q.offer("a", 3));
        assertEquals(2, q.size());
        assertEquals(Map.entry("a", 3), take(q));
        assertEquals(Map.entry("b", 1), take(q));
        assertTrue(q.poll(0, TimeUnit.MILLISECONDS).isEmpty());
    }

    @Test
    void aKeyTakenOutCanQueueAgain() throws Exception {
        CoalescingQueue<String, Integer> q = new CoalescingQueue<>(10);
        q.offer("a", 1);
        take(q);
        assertEquals(CoalescingQueue.Offer.ADDED, q.offer("a", 2));
        assertEquals(Map.entry("a", 2), take(q));
    }

    @Test
    void boundedByDistinctKeysAndForceAlwaysFits() throws Exception {
        CoalescingQueue<String, Integer> q = new CoalescingQueue<>(2);
        q.offer("a", 1);
        q.offer("b", 1);
        assertEquals(CoalescingQueue.Offer.REJECTED, q.offer("c", 1));
        assertEquals(CoalescingQueue.Offer.COALESCED, q.offer("a", 9), "a storm on a known key costs nothing");
        assertEquals(CoalescingQueue.Offer.ADDED, q.force("resync", 0));
        assertEquals(3, q.size());
        assertEquals("a", take(q).getKey());
        assertEquals("b", take(q).getKey());
        assertEquals("resync", take(q).getKey());
    }

    @Test
    void pollWaitsForAnOfferFromAnotherThread() throws Exception {
        CoalescingQueue<String, Integer> q = new CoalescingQueue<>(4);
        Thread producer = new Thread(() -> q.offer("late", 7));
        producer.start();
        assertEquals(Map.entry("late", 7), q.poll(10, TimeUnit.SECONDS).orElseThrow());
        producer.join();
    }

    @Test
    void rejectsANonPositiveCapacity() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CoalescingQueue<String, Integer>(0));
        assertTrue(e.getMessage().contains("capacity"));
    }
}
