package dev.relocator.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.crd.api.StatusReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.relocator.store.ResourceKind.RELOCATABLE_VOLUME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

/** The API-server semantics of the store, on the in-memory backend (the Swarm backend shares them: StoreBackend). */
class VersionedResourceStoreTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T10:00:00Z"));
    private final List<LabelledService> services = new CopyOnWriteArrayList<>();
    private final VersionedResourceStore store = new VersionedResourceStore(new InMemoryBackend(), () -> services,
            dev.relocator.crd.validation.ValidationOptions.defaults(), clock, Duration.ofMillis(20));

    @AfterEach
    void close() {
        store.close();
    }

    private static String rv(ObjectNode o) {
        return o.path("metadata").path("resourceVersion").asText();
    }

    private static long generation(ObjectNode o) {
        return o.path("metadata").path("generation").asLong();
    }

    private static StatusReason reason(Runnable r) {
        try {
            r.run();
        } catch (StoreException e) {
            return e.status().reason();
        }
        throw new AssertionError("expected a refusal");
    }

    @Test
    void createAssignsServerFieldsAndDropsStatus() {
        ObjectNode in = Volumes.valid("pgdata");
        in.set("status", Volumes.status("Attached", "w1", 1, "True", "Attached", "2026-12-04T09:00:00Z"));
        in.withObject("metadata").put("generation", 42).put("uid", "mine");
        ObjectNode out = store.create(RELOCATABLE_VOLUME, in);
        assertEquals(1, generation(out));
        assertTrue(rv(out).matches("[1-9][0-9]*"), rv(out));
        assertNotEquals("mine", out.path("metadata").path("uid").asText());
        assertEquals(36, out.path("metadata").path("uid").asText().length());
        assertEquals("2026-12-04T10:00:00Z", out.path("metadata").path("creationTimestamp").asText());
        assertFalse(out.has("status"));
        assertEquals(out, store.get(RELOCATABLE_VOLUME, "pgdata").orElseThrow());
    }

    @Test
    void createTwiceIsAlreadyExists() {
        store.create(RELOCATABLE_VOLUME, Volumes.valid("pgdata"));
        assertEquals(StatusReason.AlreadyExists, reason(() -> store.create(RELOCATABLE_VOLUME, Volumes.valid("pgdata"))));
    }

    @Test
    void generationMovesOnSpecChangesOnlyResourceVersionOnEveryWrite() {
        ObjectNode v1 = store.create(RELOCATABLE_VOLUME, Volumes.valid("pgdata"));
        ObjectNode labelsOnly = Volumes.valid("pgdata", o -> o.withObject("metadata").withObject("labels").put("team", "shop"));
        ObjectNode v2 = store.update(RELOCATABLE_VOLUME, "pgdata", labelsOnly, rv(v1));
        assertEquals(1, generation(v2));
        assertTrue(Long.parseLong(rv(v2)) > Long.parseLong(rv(v1)));

        ObjectNode newSpec = Volumes.valid("pgdata", o -> o.withObject("spec").put("paused", true));
        newSpec.withObject("metadata").withObject("labels").put("team", "shop");
        ObjectNode v3 = store.update(RELOCATABLE_VOLUME, "pgdata", newSpec, rv(v2));
        assertEquals(2, generation(v3));

        ObjectNode same = store.update(RELOCATABLE_VOLUME, "pgdata", newSpec, rv(v3));
        assertEquals(rv(v3), rv(same), "a no-op write keeps the resourceVersion");

        ObjectNode s = store.updateStatus(RELOCATABLE_VOLUME, "pgdata", Volumes.status("Attached", "w1", 2, "True", "Attached",
                "2026-12-04T10:00:00Z"), rv(v3));
        assertEquals(2, generation(s), "status writes never bump the generation");
        assertTrue(Long.parseLong(rv(s)) > Long.parseLong(rv(v3)));
        assertEquals(2, s.path("status").path("observedGeneration").asLong());
        assertTrue(s.path("spec").path("paused").asBoolean());

        ObjectNode afterSpec = store.update(RELOCATABLE_VOLUME, "pgdata", Volumes.valid("pgdata"), null);
        assertEquals(s.path("status"), afterSpec.path("status"), "a spec update keeps the status");
        assertEquals(3, generation(afterSpec));
        assertFalse(afterSpec.path("metadata").has("labels"), "labels are replaced, not merged");
    }

    @Test
    void observedGenerationCannotRunAhead() {
        ObjectNode v1 = store.create(RELOCATABLE_VOLUME, Volumes.valid("pgdata"));
        assertEquals(StatusReason.Invalid, reason(() -> store.updateStatus(RELOCATABLE_VOLUME, "pgdata",
                Volumes.status("Pending", null, 2, "False", "Pending", "2026-12-04T10:00:00Z"), rv(v1))));
    }

    @Test
    void lastTransitionTimeMovesOnlyWhenTheConditionFlips() {
        ObjectNode v = store.create(RELOCATABLE_VOLUME, Volumes.valid("pgdata"));
        v = store.updateStatus(RELOCATABLE_VOLUME, "pgdata", Volumes.status("Attached", "w1", 1, "True", "Attached", "2026-12-04T10:00:00Z"), null);
        // same status, new reason and a later time from the controller: the transition time stays
        v = store.updateStatus(RELOCATABLE_VOLUME, "pgdata", Volumes.status("Attached", "w1", 1, "True", "Healthy", "2026-12-04T10:05:00Z"), null);
        ObjectNode ready = (ObjectNode) v.path("status").path("conditions").get(0);
        assertEquals("2026-12-04T10:00:00Z", ready.path("lastTransitionTime").asText());
        assertEquals("Healthy", ready.path("reason").asText());
        v = store.updateStatus(RELOCATABLE_VOLUME, "pgdata", Volumes.status("Fencing", "w1", 1, "False", "NodeLost", "2026-12-04T10:06:00Z"), null);
        assertEquals("2026-12-04T10:06:00Z", v.path("status").path("conditions").get(0).path("lastTransitionTime").asText());
    }

    @Test
    void staleOrForeignResourceVersionIsRefused() {
        ObjectNode v1 = store.create(RELOCATABLE_VOLUME, Volumes.valid("pgdata"));
        ObjectNode v2 = store.update(RELOCATABLE_VOLUME, "pgdata", Volumes.valid("pgdata", o -> o.withObject("spec").put("paused", true)), rv(v1));
        ObjectNode other = Volumes.valid("pgdata", o -> o.withObject("spec").put("target", "/srv"));
        assertEquals(StatusReason.Conflict, reason(() -> store.update(RELOCATABLE_VOLUME, "pgdata", other, rv(v1))));
        assertEquals(StatusReason.Conflict, reason(() -> store.updateStatus(RELOCATABLE_VOLUME, "pgdata", Volumes.status("Pending", null, 1, "False", "Pending",
                "2026-12-04T10:00:00Z"), rv(v1))));
        assertEquals(StatusReason.Conflict, reason(() -> store.delete(RELOCATABLE_VOLUME, "pgdata", rv(v1))));
        assertEquals(StatusReason.BadRequest, reason(() -> store.update(RELOCATABLE_VOLUME, "pgdata", other, "abc")));
        assertEquals(v2, store.get(RELOCATABLE_VOLUME, "pgdata").orElseThrow());
    }

    @Test
    void deleteOfASettledVolumeRemovesIt() {
        store.create(RELOCATABLE_VOLUME, Volumes.valid("pgdata"));
        store.updateStatus(RELOCATABLE_VOLUME, "pgdata", Volumes.status("Attached", "w1", 1, "True", "Attached", "2026-12-04T10:00:00Z"), null);
        ResourceStore.DeleteResult r = store.delete(RELOCATABLE_VOLUME, "pgdata", null);
        assertTrue(r.removed());
        assertTrue(store.get(RELOCATABLE_VOLUME, "pgdata").isEmpty());
        assertEquals(StatusReason.NotFound, reason(() -> store.delete(RELOCATABLE_VOLUME, "pgdata", null)));
        ObjectNode again = store.create(RELOCATABLE_VOLUME, Volumes.valid("pgdata"));
        assertEquals(1, generation(again), "a recreated object starts over");
        assertFalse(again.has("status"));
    }

    @Test
    void deleteWaitsForTheRelocationInFlight() {
        store.create(RELOCATABLE_VOLUME, Volumes.valid("pgdata"));
        store.updateStatus(RELOCATABLE_VOLUME, "pgdata", Volumes.status("Fencing", "w1", 1, "False", "NodeLost", "2026-12-04T10:00:00Z"), null);
        clock.advance(Duration.ofSeconds(5));
        ResourceStore.DeleteResult r = store.delete(RELOCATABLE_VOLUME, "pgdata", null);
        assertFalse(r.removed());
        assertEquals("2026-12-04T10:00:05Z", r.object().path("metadata").path("deletionTimestamp").asText());
        assertEquals(ResourceStore.RELOCATION_FINALIZER, r.object().path("metadata").path("finalizers").get(0).asText());
        assertTrue(store.get(RELOCATABLE_VOLUME, "pgdata").isPresent());
        assertEquals(StatusReason.Conflict, reason(() -> store.update(RELOCATABLE_VOLUME, "pgdata", Volumes.valid("pgdata", o -> o.withObject("spec").put("paused", true)), null)));
        assertEquals(StatusReason.AlreadyExists, reason(() -> store.create(RELOCATABLE_VOLUME, Volumes.valid("pgdata"))));
        // the relocation moves on but is still in flight: the object stays
        store.updateStatus(RELOCATABLE_VOLUME, "pgdata", Volumes.status("Attaching", "w2", 1, "False", "Attaching", "2026-12-04T10:00:00Z"), null);
        assertTrue(store.get(RELOCATABLE_VOLUME, "pgdata").isPresent());
        assertFalse(store.delete(RELOCATABLE_VOLUME, "pgdata", null).removed(), "a second delete changes nothing");
        // ... and settles: the delete completes
        store.updateStatus(RELOCATABLE_VOLUME, "pgdata", Volumes.status("Attached", "w2", 1, "True", "Attached", "2026-12-04T10:00:10Z"), null);
        assertTrue(store.get(RELOCATABLE_VOLUME, "pgdata").isEmpty());
    }

    @Test
    void historyKeepsOneRecordPerGenerationAndABoundedNumber() {
        store.create(RELOCATABLE_VOLUME, Volumes.valid("pgdata"));
        for (int i = 0; i < 5; i++) {
            int n = i;
            store.update(RELOCATABLE_VOLUME, "pgdata", Volumes.valid("pgdata", o -> o.withObject("spec").put("target", "/d" + n)), null);
            store.updateStatus(RELOCATABLE_VOLUME, "pgdata", Volumes.status("Attached", "w1", 1 + n, "True", "Attached", "2026-12-04T10:00:00Z"), null);
        }
        List<ObjectNode> history = store.history(RELOCATABLE_VOLUME, "pgdata");
        assertEquals(List.of(4L, 5L, 6L), history.stream().map(o -> o.path("metadata").path("generation").asLong()).toList());
        assertEquals(5, history.get(2).path("status").path("observedGeneration").asLong(), "the latest write of a generation is kept");
    }

    @Test
    void backendAppendIsCompareAndSwap() {
        InMemoryBackend b = new InMemoryBackend();
        StoreBackend.Record first = b.append(RELOCATABLE_VOLUME, "x", null, 1, false, Volumes.valid("x"));
        b.append(RELOCATABLE_VOLUME, "x", first, 2, false, Volumes.valid("x"));
        assertThrows(StoreBackend.ConcurrentWriteException.class, () -> b.append(RELOCATABLE_VOLUME, "x", first, 2, false, Volumes.valid("x")));
        assertThrows(StoreBackend.ConcurrentWriteException.class, () -> b.append(RELOCATABLE_VOLUME, "x", null, 1, false, Volumes.valid("x")));
    }

    @Test
    void watchStreamsAddedModifiedDeletedAndResumes() throws Exception {
        List<WatchEvent> seen = new CopyOnWriteArrayList<>();
        ObjectNode before = store.create(RELOCATABLE_VOLUME, Volumes.valid("early"));
        try (AutoCloseable w = store.watch(RELOCATABLE_VOLUME, null, seen::add)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
            ObjectNode a = store.create(RELOCATABLE_VOLUME, Volumes.valid("pgdata"));
            store.update(RELOCATABLE_VOLUME, "pgdata", Volumes.valid("pgdata", o -> o.withObject("spec").put("paused", true)), rv(a));
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() >= 3);
            store.delete(RELOCATABLE_VOLUME, "pgdata", null);
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.stream().anyMatch(e -> e.type() == WatchEvent.Type.DELETED));
        }
        assertEquals(WatchEvent.Type.ADDED, seen.get(0).type());
        assertEquals("early", seen.get(0).object().path("metadata").path("name").asText());
        List<WatchEvent.Type> types = seen.stream().map(WatchEvent::type).toList();
        assertEquals(WatchEvent.Type.ADDED, types.get(1));
        assertEquals(WatchEvent.Type.DELETED, types.get(types.size() - 1));
        assertTrue(types.subList(2, types.size() - 1).stream().allMatch(t -> t == WatchEvent.Type.MODIFIED), types.toString());
        assertEquals(seen.stream().map(WatchEvent::resourceVersion).sorted().toList(), seen.stream().map(WatchEvent::resourceVersion).toList());

        // a resume from the first object's version replays what changed since, deletions included
        List<WatchEvent> resumed = new ArrayList<>();
        try (AutoCloseable w = store.watch(RELOCATABLE_VOLUME, rv(before), resumed::add)) {
            assertEquals(List.of(WatchEvent.Type.DELETED), resumed.stream().map(WatchEvent::type).toList());
            assertEquals("pgdata", resumed.get(0).object().path("metadata").path("name").asText());
        }
        assertEquals(StatusReason.BadRequest, reason(() -> store.watch(RELOCATABLE_VOLUME, "x1", e -> { })));
    }

    @Test
    void labelledServicesShowUpAsReadOnlyResources() {
        services.add(new LabelledService("shop_db", 77, Map.of("relocator.dev/volume", "shop_pgdata", "relocator.dev/driver", "local",
                "relocator.dev/volume-opt.type", "nfs", "relocator.dev/volume-opt.o", "addr=nas,rw", "relocator.dev/volume-opt.device", ":/pg",
                "relocator.dev/target", "/var/lib/postgresql/data")));
        services.add(new LabelledService("broken", 78, Map.of("relocator.dev/volume", "x", "relocator.dev/lease-secondz", "4")));
        ObjectNode derived = store.get(RELOCATABLE_VOLUME, "shop-pgdata").orElseThrow();
        assertEquals("service/shop_db", derived.path("metadata").path("annotations").path(ResourceStore.SOURCE_ANNOTATION).asText());
        assertEquals("77", rv(derived));
        assertEquals("shop_db", derived.path("spec").path("service").asText());
        assertEquals(2, store.list(RELOCATABLE_VOLUME).items().size(), "the broken one is listed too, to say why");
        com.fasterxml.jackson.databind.JsonNode broken = store.get(RELOCATABLE_VOLUME, "x").orElseThrow();
        assertTrue(broken.path("metadata").path("annotations").path(ResourceStore.LABEL_ERRORS_ANNOTATION).asText()
                .contains("labels[relocator.dev/lease-secondz]: unknown Relocator label"), broken.toString());
        assertEquals("InvalidSpec", broken.path("status").path("conditions").get(2).path("reason").asText());
        assertEquals("True", broken.path("status").path("conditions").get(2).path("status").asText());
        assertTrue(derived.path("status").isMissingNode(), "no controller labels yet: no status");

        // the controller's state labels on the same service are its status, not part of the spec
        services.set(0, new LabelledService("shop_db", 79, java.util.stream.Stream.concat(services.get(0).labels().entrySet().stream(),
                Map.of("status.relocator.dev/phase", "Attached", "status.relocator.dev/node", "n1", "status.relocator.dev/epoch", "3",
                        "status.relocator.dev/phase-since", "2026-12-04T10:00:00Z", "status.relocator.dev/reason", "Started").entrySet().stream())
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))));
        ObjectNode withStatus = store.get(RELOCATABLE_VOLUME, "shop-pgdata").orElseThrow();
        assertEquals("Attached", withStatus.path("status").path("phase").asText());
        assertEquals(3, withStatus.path("status").path("epoch").asLong());
        assertEquals("True", withStatus.path("status").path("conditions").get(0).path("status").asText());
        assertEquals(StatusReason.AlreadyExists, reason(() -> store.create(RELOCATABLE_VOLUME, Volumes.valid("shop-pgdata"))));
        assertEquals(StatusReason.Conflict, reason(() -> store.delete(RELOCATABLE_VOLUME, "shop-pgdata", null)));
        assertEquals(StatusReason.Conflict, reason(() -> store.update(RELOCATABLE_VOLUME, "shop-pgdata", Volumes.valid("shop-pgdata"), null)));
    }

    @Test
    void aStoredResourceWinsOverLabelsOfTheSameNameAndSaysSo() {
        store.create(RELOCATABLE_VOLUME, Volumes.valid("pgdata"));
        services.add(new LabelledService("other_db", 90, Map.of("relocator.dev/volume", "pgdata", "relocator.dev/driver", "local",
                "relocator.dev/volume-opt.type", "nfs", "relocator.dev/volume-opt.o", "addr=nas,rw", "relocator.dev/volume-opt.device", ":/x",
                "relocator.dev/target", "/data")));
        ObjectNode got = store.get(RELOCATABLE_VOLUME, "pgdata").orElseThrow();
        assertEquals("shop_db", got.path("spec").path("service").asText());
        assertTrue(got.path("metadata").path("annotations").path(ResourceStore.CONFLICT_ANNOTATION).asText().contains("other_db"));
        assertEquals(1, store.list(RELOCATABLE_VOLUME).items().size());
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
