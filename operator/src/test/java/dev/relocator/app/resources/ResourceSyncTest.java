package dev.relocator.app.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.api.ResourcesApi;
import dev.relocator.core.model.FenceEvidence;
import dev.relocator.core.model.Phase;
import dev.relocator.core.model.VolumeSpec;
import dev.relocator.core.model.VolumeState;
import dev.relocator.core.model.VolumeStatus;
import dev.relocator.crd.Resources;
import dev.relocator.crd.labels.LabelShorthand;
import dev.relocator.store.InMemoryBackend;
import dev.relocator.store.LabelledService;
import dev.relocator.store.ListResult;
import dev.relocator.store.ResourceKind;
import dev.relocator.store.ResourceStore;
import dev.relocator.store.VersionedResourceStore;
import dev.relocator.store.Volumes;
import dev.relocator.store.WatchEvent;
import dev.relocator.crd.validation.ValidationOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The controller's side of the store, on the in-memory store (same semantics as the Swarm-config one). */
class ResourceSyncTest {

    private static final Instant T = Instant.parse("2026-12-04T23:00:00Z");
    private final List<LabelledService> services = new ArrayList<>();
    private final VersionedResourceStore store = new VersionedResourceStore(new InMemoryBackend(), () -> List.copyOf(services),
            ValidationOptions.defaults(), Clock.systemUTC(), Duration.ofMillis(50));
    private final ResourceSync sync = new ResourceSync(store);

    @AfterEach
    void tearDown() {
        store.close();
    }

    private static ObjectNode rv(String name, String service, Consumer<ObjectNode> change) {
        return Volumes.valid(name, o -> {
            ((ObjectNode) o.get("spec")).put("service", service);
            change.accept(o);
        });
    }

    /**
     * A service that opts in the way the lab and deploy/ do: {@code relocator.dev/volume} and a mount of
     * that volume (bind-backed local driver), one placement constraint of its own and the controller's pin.
     */
    private static LabelledService labelled(String volume, String service, Map<String, String> more) {
        Map<String, String> labels = new HashMap<>(more);
        labels.put("relocator.dev/volume", volume);
        return new LabelledService(service, 77, labels, new LabelShorthand.Workload(
                List.of(new LabelShorthand.Mount("bind", "/run/relocator", "/run/relocator", "", Map.of()),
                        new LabelShorthand.Mount("volume", volume, "/data", "local",
                                Map.of("type", "none", "o", "bind", "device", "/srv/shared/" + volume))),
                List.of("node.role==worker", "node.id==abc123")));
    }

    private void labelSpec(String volume, String service) {
        services.add(labelled(volume, service, Map.of()));
    }

    private static ObjectNode status(Phase p, String node, long generation) {
        VolumeState st = new VolumeState(p, node == null ? 0 : 1, node, p == Phase.ATTACHING ? "n2" : null, T, "Why",
                FenceEvidence.NONE, 0, null);
        return StatusBuilder.of(new VolumeStatus("x", st, null, null, null), generation, false);
    }

    private static VolumeState attached(String node) {
        return new VolumeState(Phase.ATTACHED, 2, node, null, T, "Started", FenceEvidence.AGENT_CONFIRMED, 0, null);
    }

    @Test
    void storedAndLabelledSpecsAreReadAndAStoredOneWinsEveryClash() {
        store.create(ResourceKind.RELOCATABLE_VOLUME, rv("pg", "shop_db", o -> { }));
        labelSpec("logs", "shop_logs");
        labelSpec("pg", "other");             // same name as the stored one
        labelSpec("cache", "shop_db");        // same service
        labelSpec("pg-data", "third");        // same volume as the stored one
        ResourceSync.Desired d = sync.read();
        assertEquals(List.of("logs", "pg"), List.copyOf(d.specs().keySet()));
        assertTrue(d.specs().get("pg").stored());
        assertEquals("shop_db", d.specs().get("pg").spec().service());
        assertFalse(d.specs().get("logs").stored());
        assertEquals(Map.of("logs", 1L, "pg", 1L), ResourceSync.generations(d));
        assertTrue(d.invalid().isEmpty());
    }

    @Test
    void twoStoredResourcesForOneServiceOrVolume() {
        store.create(ResourceKind.RELOCATABLE_VOLUME, rv("a", "svc", o -> { }));
        store.create(ResourceKind.RELOCATABLE_VOLUME, rv("b", "svc", o -> { }));
        store.create(ResourceKind.RELOCATABLE_VOLUME, rv("c", "svc3", o -> ((ObjectNode) o.get("spec").get("volume")).put("name", "a-data")));
        ResourceSync.Desired d = sync.read();
        assertEquals(List.of("a"), List.copyOf(d.specs().keySet()));
        assertEquals("spec.service", d.invalid().get("b").field());
        assertTrue(d.invalid().get("b").message().contains("already managed by RelocatableVolume a"), d.invalid().get("b").message());
        assertEquals("spec.volume.name", d.invalid().get("c").field());
    }

    @Test
    void theGenerationFollowsSpecChangesAndTheKeySeesMoveRequests() {
        ObjectNode created = store.create(ResourceKind.RELOCATABLE_VOLUME, rv("pg", "shop_db", o -> { }));
        String key1 = ResourceSync.key(created);
        ObjectNode next = created.deepCopy();
        ((ObjectNode) next.get("spec")).put("paused", true);
        ObjectNode updated = store.update(ResourceKind.RELOCATABLE_VOLUME, "pg", next, null);
        ResourceSync.Desired d = sync.read();
        assertEquals(2, d.specs().get("pg").generation());
        assertTrue(d.specs().get("pg").spec().paused());
        assertNotEquals(key1, ResourceSync.key(updated));
        ObjectNode withStatus = store.updateStatus(ResourceKind.RELOCATABLE_VOLUME, "pg", status(Phase.ATTACHED, "n1", 2), null);
        assertEquals(ResourceSync.key(updated), ResourceSync.key(withStatus), "a status write is not a change the controller must read");
    }

    @Test
    void theRelocatorConfigGivesMaintenanceAndHooks() {
        assertFalse(sync.read().config().orElseThrow().spec().maintenance().enabled(), "no object: the defaults");
        ObjectNode cfg = (ObjectNode) Resources.toTree(Map.of("apiVersion", "relocator.dev/v1alpha1", "kind", "RelocatorConfig",
                "metadata", Map.of("name", "default"),
                "spec", Map.of("maintenance", Map.of("enabled", true, "reason", "SAN firmware"),
                        "fenceHooks", List.of(Map.of("name", "ipmi", "nodeLabels", Map.of("power", "ipmi"), "external", "command",
                                "command", List.of("/bin/true"), "timeoutSeconds", 10)))));
        store.create(ResourceKind.RELOCATOR_CONFIG, cfg);
        var c = sync.read().config().orElseThrow();
        assertTrue(c.spec().maintenance().enabled());
        assertEquals("SAN firmware", c.spec().maintenance().reason());
        assertEquals("ipmi", c.spec().fenceHooks().get(0).name());
    }

    @Test
    void aStatusIsWrittenOnlyWhenItChangedAndTransitionTimesStay() {
        store.create(ResourceKind.RELOCATABLE_VOLUME, rv("pg", "shop_db", o -> { }));
        assertTrue(sync.writeStatus("pg", status(Phase.ATTACHED, "n1", 1), null, null, attached("n1")));
        ObjectNode first = store.get(ResourceKind.RELOCATABLE_VOLUME, "pg").orElseThrow();
        assertTrue(sync.writeStatus("pg", status(Phase.ATTACHED, "n1", 1), null, null, attached("n1")));
        ObjectNode second = store.get(ResourceKind.RELOCATABLE_VOLUME, "pg").orElseThrow();
        assertEquals(first.path("metadata").path("resourceVersion"), second.path("metadata").path("resourceVersion"),
                "an unchanged status is not written");
        assertEquals(1, second.path("status").path("observedGeneration").asLong());
        JsonNode ready = second.path("status").path("conditions").get(0);
        assertEquals("Ready", ready.path("type").asText());
        assertFalse(ready.path("lastTransitionTime").asText().isEmpty());
    }

    @Test
    void aConflictingWriteIsRetriedOnAFreshRead() {
        store.create(ResourceKind.RELOCATABLE_VOLUME, rv("pg", "shop_db", o -> { }));
        AtomicInteger interfered = new AtomicInteger();
        ResourceStore racing = new Delegating(store) {
            @Override
            public ObjectNode updateStatus(ResourceKind kind, String name, ObjectNode status, String expected) {
                if (interfered.getAndIncrement() == 0) {
                    ObjectNode cur = store.get(kind, name).orElseThrow();
                    ((ObjectNode) cur.get("metadata")).putObject("labels").put("team", "db"); // someone else writes first
                    store.update(kind, name, cur, null);
                }
                return store.updateStatus(kind, name, status, expected);
            }
        };
        ResourceSync s = new ResourceSync(racing);
        assertTrue(s.writeStatus("pg", status(Phase.ATTACHED, "n1", 1), null, null, attached("n1")));
        assertEquals(2, interfered.get(), "one conflict, one retry");
        ObjectNode now = store.get(ResourceKind.RELOCATABLE_VOLUME, "pg").orElseThrow();
        assertEquals("Attached", now.path("status").path("phase").asText());
        assertEquals("db", now.path("metadata").path("labels").path("team").asText(), "the other write is kept");
    }

    @Test
    void aPendingDeleteCompletesWhenThePhaseSettles() {
        store.create(ResourceKind.RELOCATABLE_VOLUME, rv("pg", "shop_db", o -> { }));
        assertTrue(sync.writeStatus("pg", status(Phase.ATTACHING, "n1", 1), null, null, null));
        ResourceStore.DeleteResult del = store.delete(ResourceKind.RELOCATABLE_VOLUME, "pg", null);
        assertFalse(del.removed(), "in flight: only marked");
        assertTrue(store.get(ResourceKind.RELOCATABLE_VOLUME, "pg").isPresent());
        assertTrue(sync.read().specs().containsKey("pg"), "the controller keeps running it until the relocation ends");
        assertTrue(sync.writeStatus("pg", status(Phase.ATTACHED, "n2", 1), null, null, attached("n2")));
        assertEquals(Optional.empty(), store.get(ResourceKind.RELOCATABLE_VOLUME, "pg"));
        assertFalse(sync.read().specs().containsKey("pg"));
    }

    @Test
    void aMoveRequestIsRemovedOnceTheVolumeIsAttachedWhereItWanted() {
        store.create(ResourceKind.RELOCATABLE_VOLUME, rv("pg", "shop_db", o -> ((ObjectNode) o.get("metadata")).putObject("annotations")
                .put(ResourcesApi.RELOCATE_TO, "n2").put(ResourcesApi.REQUESTED_AT, T.toString()).put("keep", "me")));
        assertTrue(sync.writeStatus("pg", status(Phase.ATTACHED, "n1", 1), null, null, attached("n1")));
        assertTrue(annotations().has(ResourcesApi.RELOCATE_TO), "still on n1: the request stands");
        assertTrue(sync.writeStatus("pg", status(Phase.FENCING, "n1", 1), null, null,
                new VolumeState(Phase.FENCING, 1, "n1", null, T, "PlannedMove", FenceEvidence.NONE, 0, null)));
        assertTrue(annotations().has(ResourcesApi.RELOCATE_TO), "in flight: the request stands");
        assertTrue(sync.writeStatus("pg", status(Phase.ATTACHED, "n2", 1), null, null, attached("n2")));
        JsonNode a = annotations();
        assertFalse(a.has(ResourcesApi.RELOCATE_TO));
        assertFalse(a.has(ResourcesApi.REQUESTED_AT));
        assertEquals("me", a.path("keep").asText(), "other annotations stay");
        assertEquals(1, store.get(ResourceKind.RELOCATABLE_VOLUME, "pg").orElseThrow().path("metadata").path("generation").asLong());
    }

    @Test
    void aDrainIsDoneWhenTheVolumeIsAnywhereElse() {
        store.create(ResourceKind.RELOCATABLE_VOLUME, rv("pg", "shop_db", o -> ((ObjectNode) o.get("metadata")).putObject("annotations")
                .put(ResourcesApi.DRAIN_FROM, "n1").put(ResourcesApi.REQUESTED_AT, T.toString())));
        assertTrue(sync.writeStatus("pg", status(Phase.ATTACHED, "n1", 1), null, null, attached("n1")));
        assertTrue(annotations().has(ResourcesApi.DRAIN_FROM));
        assertTrue(sync.writeStatus("pg", status(Phase.ATTACHED, "n3", 1), null, null, attached("n3")));
        assertFalse(annotations().has(ResourcesApi.DRAIN_FROM));
    }

    @Test
    void aRefusedMoveStaysSoTheUserSeesIt() {
        store.create(ResourceKind.RELOCATABLE_VOLUME, rv("pg", "shop_db", o -> ((ObjectNode) o.get("metadata")).putObject("annotations")
                .put(ResourcesApi.RELOCATE_TO, "n9").put(ResourcesApi.REQUESTED_AT, T.toString())));
        ObjectNode degraded = StatusBuilder.of(new VolumeStatus("pg", attached("n1"), "TargetUnavailable", "n9 is down", null), 1, false);
        assertTrue(sync.writeStatus("pg", degraded, null, null, attached("n1")));
        assertTrue(annotations().has(ResourcesApi.RELOCATE_TO));
        ObjectNode now = store.get(ResourceKind.RELOCATABLE_VOLUME, "pg").orElseThrow();
        assertEquals("TargetUnavailable", now.path("status").path("conditions").get(2).path("reason").asText());
    }

    @Test
    void anInvalidResourceGetsADegradedStatusBuiltOnItsLastOne() {
        store.create(ResourceKind.RELOCATABLE_VOLUME, rv("pg", "shop_db", o -> { }));
        sync.writeStatus("pg", status(Phase.ATTACHED, "n1", 1), null, null, attached("n1"));
        assertTrue(sync.writeStatus("pg", null, new SpecMapper.Invalid("metadata.annotations", "bad time"), 1L, attached("n1")));
        JsonNode s = store.get(ResourceKind.RELOCATABLE_VOLUME, "pg").orElseThrow().path("status");
        assertEquals("Attached", s.path("phase").asText());
        assertEquals("InvalidSpec", s.path("conditions").get(2).path("reason").asText());
        assertEquals("True", s.path("conditions").get(2).path("status").asText());
    }

    @Test
    void aLabelDeclaredResourceIsReadOnceAndItsStatusIsNeverWritten() {
        services.add(new LabelledService("shop_db", 77, Map.of("relocator.dev/volume", "shop_pgdata", "relocator.dev/driver", "local",
                "relocator.dev/volume-opt.type", "nfs", "relocator.dev/volume-opt.o", "addr=nas,rw", "relocator.dev/volume-opt.device", ":/pg",
                "relocator.dev/target", "/var/lib/postgresql/data")));
        ResourceSync.Desired d = sync.read();
        assertEquals(List.of("shop-pgdata"), List.copyOf(d.specs().keySet()), "one spec, under the name the API shows");
        assertFalse(d.specs().get("shop-pgdata").stored());
        assertEquals("shop_pgdata", d.specs().get("shop-pgdata").spec().volumeName());
        assertTrue(d.storedStatus().isEmpty());
        ObjectNode before = store.get(ResourceKind.RELOCATABLE_VOLUME, "shop-pgdata").orElseThrow();
        assertTrue(sync.writeStatus("shop-pgdata", status(Phase.ATTACHED, "n1", 1), null, null, attached("n1")));
        assertEquals(before, store.get(ResourceKind.RELOCATABLE_VOLUME, "shop-pgdata").orElseThrow(),
                "the service's state labels are its status: nothing is written to the store");
    }

    @Test
    void aLabelOnlyServiceRunsWithWhatItsMountAndConstraintsSay() {
        labelSpec("shop_pgdata", "shop_db");
        ResourceSync.Entry e = sync.read().specs().get("shop-pgdata");
        VolumeSpec s = e.spec();
        assertEquals("shop_db", s.service());
        assertEquals("/data", s.targetPath());
        assertEquals("local", s.driver());
        assertEquals(Map.of("type", "none", "o", "bind", "device", "/srv/shared/shop_pgdata"), s.driverOptions());
        assertEquals(List.of("node.role==worker"), s.placement(), "the service's own constraint stays, the pin is the controller's");
        assertFalse(s.paused());
        assertEquals(1, e.generation());
    }

    @Test
    void everyShorthandFieldOfALabelledServiceHasItsEffect() {
        Map<String, String> more = new HashMap<>(Map.of("relocator.dev/paused", "true", "relocator.dev/uid", "999",
                "relocator.dev/gid", "998", "relocator.dev/mode", "0700", "relocator.dev/lease-seconds", "6",
                "relocator.dev/heartbeat-seconds", "2", "relocator.dev/on-task-failure", "relocate"));
        more.put("relocator.dev/nodev", "false");
        more.put("relocator.dev/allow-insecure-mount", "true");
        more.put("relocator.dev/constraints", "node.labels.zone==a");
        services.add(labelled("shop_pgdata", "shop_db", more));
        ResourceSync.Desired d = sync.read();
        assertTrue(d.invalid().isEmpty(), () -> d.invalid().toString());
        VolumeSpec s = d.specs().get("shop-pgdata").spec();
        assertTrue(s.paused(), "relocator.dev/paused holds the volume like spec.paused of a stored one");
        assertEquals(new VolumeSpec.Ownership(999, 998, "0700"), s.ownership());
        assertEquals(Duration.ofSeconds(6), s.lease());
        assertEquals(2, d.specs().get("shop-pgdata").fencing().heartbeatSeconds());
        assertFalse(s.mountOptions().nodev());
        assertTrue(s.mountOptions().nosuid());
        assertEquals(VolumeSpec.TaskFailurePolicy.RELOCATE, s.taskFailurePolicy());
        assertEquals(List.of("node.labels.zone==a"), s.placement(), "a constraints label replaces the service's own");

        // what GET shows for it once the controller has written its state: Relocating=False, reason Paused
        Map<String, String> state = new HashMap<>(services.get(0).labels());
        state.putAll(Map.of("status.relocator.dev/phase", "Attached", "status.relocator.dev/node", "n1",
                "status.relocator.dev/epoch", "2", "status.relocator.dev/phase-since", "2026-12-04T23:00:00Z"));
        String keyBefore = d.storedKeys().get("shop-pgdata");
        services.set(0, new LabelledService("shop_db", 78, state, services.get(0).workload()));
        ObjectNode got = store.get(ResourceKind.RELOCATABLE_VOLUME, "shop-pgdata").orElseThrow();
        assertEquals("Attached", got.path("status").path("phase").asText());
        assertEquals("Paused", condition(got, "Relocating").path("reason").asText());
        assertEquals("False", condition(got, "Relocating").path("status").asText());
        assertEquals("True", condition(got, "Ready").path("status").asText());
        assertEquals("False", condition(got, "Degraded").path("status").asText());
        assertEquals(keyBefore, sync.read().storedKeys().get("shop-pgdata"), "the controller's own state is no change to read");

        // removing the label resumes it, and the watch key says so
        state.remove("relocator.dev/paused");
        services.set(0, new LabelledService("shop_db", 79, state, services.get(0).workload()));
        ResourceSync.Desired resumed = sync.read();
        assertFalse(resumed.specs().get("shop-pgdata").spec().paused());
        assertNotEquals(keyBefore, resumed.storedKeys().get("shop-pgdata"));
        assertEquals("Settled", condition(store.get(ResourceKind.RELOCATABLE_VOLUME, "shop-pgdata").orElseThrow(), "Relocating")
                .path("reason").asText());
    }

    @Test
    void aBadLabelIsReportedPreciselyAndNotActedOn() {
        services.add(labelled("shop_pgdata", "shop_db", Map.of("relocator.dev/lease-seconds", "1")));
        ResourceSync.Desired d = sync.read();
        assertTrue(d.specs().isEmpty());
        SpecMapper.Invalid why = d.invalid().get("shop-pgdata");
        assertTrue(why.toString().contains("labels[relocator.dev/lease-seconds]: must be ≥ 2, got 1"), why.toString());
        ObjectNode got = store.get(ResourceKind.RELOCATABLE_VOLUME, "shop-pgdata").orElseThrow();
        JsonNode degraded = condition(got, "Degraded");
        assertEquals("True", degraded.path("status").asText());
        assertEquals("InvalidSpec", degraded.path("reason").asText());
        assertTrue(degraded.path("message").asText().contains("labels[relocator.dev/lease-seconds]"), degraded.toString());
        assertTrue(got.path("metadata").path("annotations").path(ResourceStore.LABEL_ERRORS_ANNOTATION).asText()
                .contains("relocator.dev/lease-seconds"));

        // a stored resource of the same name (created before the labels appeared) wins: the labelled one is neither run nor reported
        LabelledService bad = services.remove(0);
        store.create(ResourceKind.RELOCATABLE_VOLUME, rv("shop-pgdata", "other_db", o -> { }));
        services.add(bad);
        ResourceSync.Desired after = sync.read();
        assertTrue(after.invalid().isEmpty(), () -> after.invalid().toString());
        assertTrue(after.specs().get("shop-pgdata").stored());
    }

    @Test
    void aLabelledServiceThatDoesNotMountItsVolumeIsInvalid() {
        services.add(new LabelledService("shop_db", 77, Map.of("relocator.dev/volume", "shop_pgdata"),
                new LabelShorthand.Workload(List.of(new LabelShorthand.Mount("volume", "other", "/data", "local", Map.of())), List.of())));
        SpecMapper.Invalid why = sync.read().invalid().get("shop-pgdata");
        assertTrue(why.toString().contains("labels[relocator.dev/volume]: service shop_db mounts no volume named shop_pgdata"),
                why.toString());
    }

    private static JsonNode condition(JsonNode rv, String type) {
        for (JsonNode c : rv.path("status").path("conditions")) {
            if (c.path("type").asText().equals(type)) {
                return c;
            }
        }
        throw new AssertionError("no condition " + type + " in " + rv.path("status"));
    }

    private JsonNode annotations() {
        return store.get(ResourceKind.RELOCATABLE_VOLUME, "pg").orElseThrow().path("metadata").path("annotations");
    }

    /** Forwards everything; a test overrides the call it interferes with. */
    private static class Delegating implements ResourceStore {
        final ResourceStore d;

        Delegating(ResourceStore d) {
            this.d = d;
        }

        @Override
        public ListResult list(ResourceKind kind) {
            return d.list(kind);
        }

        @Override
        public Optional<ObjectNode> get(ResourceKind kind, String name) {
            return d.get(kind, name);
        }

        @Override
        public ObjectNode create(ResourceKind kind, ObjectNode object) {
            return d.create(kind, object);
        }

        @Override
        public ObjectNode update(ResourceKind kind, String name, ObjectNode object, String expected) {
            return d.update(kind, name, object, expected);
        }

        @Override
        public ObjectNode updateStatus(ResourceKind kind, String name, ObjectNode status, String expected) {
            return d.updateStatus(kind, name, status, expected);
        }

        @Override
        public DeleteResult delete(ResourceKind kind, String name, String expected) {
            return d.delete(kind, name, expected);
        }

        @Override
        public AutoCloseable watch(ResourceKind kind, String from, Consumer<WatchEvent> sink) {
            return d.watch(kind, from, sink);
        }

        @Override
        public void close() {
        }
    }
}
