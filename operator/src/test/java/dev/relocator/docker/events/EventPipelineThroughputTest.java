package dev.relocator.docker.events;

import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reader's hot path (decode, de-duplicate, coalesce) against a concurrent consumer, as
 * the event source runs it. Asserts correctness only: every key's newest event reaches the
 * consumer, nothing is lost while the queue has room. The rate is printed as a rough figure
 * (a shared machine; the JMH benchmark is separate work), never asserted.
 */
class EventPipelineThroughputTest {

    @Test
    void theNewestEventOfEveryKeyReachesTheConsumer() throws Exception {
        int keys = 500;
        int events = 400_000;
        String[] actions = {"start", "die", "kill", "oom", "destroy"};
        List<Event> raw = new ArrayList<>(events);
        long t0 = 1_700_000_000_000_000_000L;
        Map<String, String> newest = new HashMap<>();
        for (int i = 0; i < events; i++) {
            String id = "c" + (i % keys);
            String action = actions[(i / keys) % actions.length];
            raw.add(DockerEventTest.raw(EventType.CONTAINER, action, id, t0 + i, Map.of("name", id)));
            newest.put(id, action + "@" + (t0 + i));
        }

        CoalescingQueue<ObjectRef, DockerEvent> queue = new CoalescingQueue<>(keys * 2);
        SinceTracker since = new SinceTracker(1_000_000_000L);
        Map<String, String> seen = new HashMap<>();
        AtomicBoolean producing = new AtomicBoolean(true);
        long[] delivered = new long[1];
        Thread consumer = new Thread(() -> {
            try {
                while (producing.get() || queue.size() > 0) {
                    var next = queue.poll(10, TimeUnit.MILLISECONDS);
                    if (next.isPresent()) {
                        DockerEvent e = next.get().getValue();
                        seen.put(e.ref().id(), e.action() + "@" + e.timeNano());
                        delivered[0]++;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        consumer.start();

        long start = System.nanoTime();
        int rejected = 0;
        for (Event e : raw) {
            DockerEvent decoded = DockerEvent.decode(e).orElseThrow();
            if (since.accept(decoded) && queue.offer(decoded.ref(), decoded) == CoalescingQueue.Offer.REJECTED) {
                rejected++;
            }
        }
        long producerNanos = System.nanoTime() - start;
        producing.set(false);
        consumer.join(TimeUnit.SECONDS.toMillis(30));
        long totalNanos = System.nanoTime() - start;

        assertEquals(0, rejected, "the queue is bounded by keys, not by events");
        assertEquals(newest, seen, "coalescing keeps each key's newest event");
        assertTrue(delivered[0] <= events && delivered[0] >= keys);
        System.out.printf("[figures] decode+dedupe+coalesce: %d events in %.1f ms = %.0f events/s on the reader; "
                        + "%d deliveries to the consumer (%.1f%% after coalescing), all drained in %.1f ms%n",
                events, producerNanos / 1e6, events / (producerNanos / 1e9), delivered[0], 100.0 * delivered[0] / events, totalNanos / 1e6);
    }
}
