package dev.relocator.store;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.store.VersionedResourceStore.Snapshot;
import dev.relocator.store.VersionedResourceStore.Versioned;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The watch's re-read schedule when Docker events drive it: a hint re-reads soon (the resync
 * timer here is an hour, so only the hint can deliver a change within the test's bounds), a
 * burst of hints is one re-read, a hint during a re-read is not lost, a failed hinted re-read is
 * retried, and nothing is read while nobody watches.
 */
class WatchHubTest {

    private static final Duration NEVER = Duration.ofHours(1);

    /** A source of snapshots that counts its reads and can fail or block on demand. */
    private static final class Source implements Supplier<Snapshot> {
        final Map<String, Versioned> objects = new java.util.concurrent.ConcurrentHashMap<>();
        final AtomicInteger reads = new AtomicInteger();
        volatile RuntimeException failure;
        volatile CountDownLatch gate;
        volatile CountDownLatch entered;

        void put(String name, long version) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.withObject("metadata").put("name", name);
            objects.put(name, new Versioned(version, o));
        }

        @Override
        public Snapshot get() {
            reads.incrementAndGet();
            CountDownLatch g = gate;
            if (g != null) {
                gate = null;
                entered.countDown();
                try {
                    assertTrue(g.await(10, TimeUnit.SECONDS), "the test never released the blocked read");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            RuntimeException f = failure;
            if (f != null) {
                throw f;
            }
            Map<String, Versioned> copy = new TreeMap<>(objects);
            long max = copy.values().stream().mapToLong(Versioned::version).max().orElse(0);
            return new Snapshot(copy, Map.of(), max);
        }
    }

    private final Source source = new Source();
    private WatchHub hub;

    @AfterEach
    void close() {
        if (hub != null) {
            hub.close();
        }
    }

    private List<String> names(List<WatchEvent> events) {
        return events.stream().map(e -> e.type() + " " + e.object().path("metadata").path("name").asText()).toList();
    }

    @Test
    void aHintDeliversAChangeLongBeforeTheResync() throws Exception {
        hub = new WatchHub(ResourceKind.RELOCATABLE_VOLUME, source, NEVER, Duration.ofMillis(20));
        List<WatchEvent> seen = new CopyOnWriteArrayList<>();
        try (AutoCloseable w = hub.subscribe(null, seen::add)) {
            source.put("a", 5);
            hub.hint();
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
            assertEquals(List.of("ADDED a"), names(seen));
        }
    }

    @Test
    void aBurstOfHintsIsOneReRead() throws Exception {
        hub = new WatchHub(ResourceKind.RELOCATABLE_VOLUME, source, NEVER, Duration.ofMillis(200));
        List<WatchEvent> seen = new CopyOnWriteArrayList<>();
        try (AutoCloseable w = hub.subscribe(null, seen::add)) {
            int before = source.reads.get();
            source.put("a", 5);
            for (int i = 0; i < 50; i++) {
                hub.hint();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
            // the 50 hints arrived within the 200 ms delay: they share the one queued re-read
            await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> source.reads.get() - before == 1);
        }
    }

    @Test
    void aHintDuringAReReadQueuesAnother() throws Exception {
        hub = new WatchHub(ResourceKind.RELOCATABLE_VOLUME, source, NEVER, Duration.ofMillis(10));
        List<WatchEvent> seen = new CopyOnWriteArrayList<>();
        try (AutoCloseable w = hub.subscribe(null, seen::add)) {
            CountDownLatch release = new CountDownLatch(1);
            source.entered = new CountDownLatch(1);
            source.gate = release;
            hub.hint();
            assertTrue(source.entered.await(5, TimeUnit.SECONDS), "the hinted re-read did not start");
            // the re-read in progress has taken its snapshot before this change: only a second re-read sees it
            source.put("late", 9);
            hub.hint();
            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> names(seen).contains("ADDED late"));
        }
    }

    @Test
    void aFailedHintedReReadIsRetried() throws Exception {
        hub = new WatchHub(ResourceKind.RELOCATABLE_VOLUME, source, NEVER, Duration.ofMillis(10));
        List<WatchEvent> seen = new CopyOnWriteArrayList<>();
        try (AutoCloseable w = hub.subscribe(null, seen::add)) {
            int before = source.reads.get();
            source.failure = new StoreException(dev.relocator.crd.api.Status.badRequest("Swarm has no quorum"));
            source.put("a", 5);
            hub.hint();
            await().atMost(Duration.ofSeconds(5)).until(() -> source.reads.get() > before);
            source.failure = null;
            // no further hint: the retry (1 s) finds the change, not the hour-long resync
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
            assertEquals(List.of("ADDED a"), names(seen));
        }
    }

    @Test
    void nothingIsReadWhileNobodyWatches() {
        hub = new WatchHub(ResourceKind.RELOCATABLE_VOLUME, source, NEVER, Duration.ofMillis(10));
        hub.hint();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> source.reads.get() == 0);
    }

    @Test
    void withoutHintsTheTimerStillFindsTheChange() throws Exception {
        hub = new WatchHub(ResourceKind.RELOCATABLE_VOLUME, source, Duration.ofMillis(50), Duration.ofMillis(10));
        List<WatchEvent> seen = new CopyOnWriteArrayList<>();
        try (AutoCloseable w = hub.subscribe(null, seen::add)) {
            source.put("a", 5);
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
        }
    }
}
