package dev.relocator.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.crd.api.StatusReason;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.relocator.store.ResourceKind.RELOCATABLE_VOLUME;
import static dev.relocator.store.ResourceKind.RELOCATOR_CONFIG;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The Swarm-config store on the real engine (single-node swarm): what lands in Raft, and what survives a restart. */
class SwarmConfigStoreIT {

    private static SwarmFixture swarm;

    @BeforeAll
    static void start() {
        swarm = SwarmFixture.start();
    }

    @AfterAll
    static void stop() {
        swarm.close();
    }

    private static String rv(ObjectNode o) {
        return o.path("metadata").path("resourceVersion").asText();
    }

    private static List<JsonNode> configsOf(String name) {
        return swarm.rawConfigs().stream().filter(c -> name.equals(c.path("Spec").path("Labels").path(SwarmConfigBackend.NAME).asText())).toList();
    }

    @Test
    void oneConfigPerGenerationWithLabelsAndPrunedHistory() {
        try (VersionedResourceStore store = swarm.newStore()) {
            ObjectNode v = store.create(RELOCATABLE_VOLUME, Volumes.valid("gens"));
            List<JsonNode> one = configsOf("gens");
            assertEquals(1, one.size());
            JsonNode labels = one.get(0).path("Spec").path("Labels");
            assertEquals("RelocatableVolume", labels.path(SwarmConfigBackend.KIND).asText());
            assertEquals("1", labels.path(SwarmConfigBackend.GENERATION).asText());
            assertEquals("1", labels.path(SwarmConfigBackend.SEQUENCE).asText());
            assertEquals(rv(v), Long.toString(one.get(0).path("Version").path("Index").asLong()),
                    "the resourceVersion is the config's Raft index");
            JsonNode data = SwarmApi.parse(Base64.getDecoder().decode(one.get(0).path("Spec").path("Data").asText()));
            assertEquals("shop_db", data.path("spec").path("service").asText());

            // a status write in the same generation replaces that generation's config
            v = store.updateStatus(RELOCATABLE_VOLUME, "gens", Volumes.status("Attached", "w1", 1, "True", "Attached", "2026-12-04T10:00:00Z"), rv(v));
            assertEquals(1, configsOf("gens").size());
            assertTrue(configsOf("gens").get(0).path("Spec").path("Labels").has(SwarmConfigBackend.PREVIOUS),
                    "each write names the resourceVersion it was made against");

            for (int i = 0; i < 5; i++) {
                int n = i;
                v = store.update(RELOCATABLE_VOLUME, "gens", Volumes.valid("gens", o -> o.withObject("spec").put("target", "/d" + n)), rv(v));
            }
            assertEquals(6, v.path("metadata").path("generation").asLong());
            List<Long> generations = configsOf("gens").stream()
                    .map(c -> Long.parseLong(c.path("Spec").path("Labels").path(SwarmConfigBackend.GENERATION).asText())).sorted().toList();
            assertEquals(List.of(4L, 5L, 6L), generations, "one config per generation, the last " + SwarmConfigBackend.DEFAULT_HISTORY);
        }
    }

    @Test
    void survivesANewStoreInstance() {
        ObjectNode written;
        try (VersionedResourceStore store = swarm.newStore()) {
            ObjectNode v = store.create(RELOCATABLE_VOLUME, Volumes.valid("restart"));
            v = store.update(RELOCATABLE_VOLUME, "restart", Volumes.valid("restart", o -> o.withObject("spec").put("paused", true)), rv(v));
            written = store.updateStatus(RELOCATABLE_VOLUME, "restart", Volumes.status("Attached", "w1", 2, "True", "Attached",
                    "2026-12-04T10:00:00Z"), rv(v));
            store.create(RELOCATOR_CONFIG, config());
        }
        try (VersionedResourceStore restarted = swarm.newStore()) {
            ObjectNode read = restarted.get(RELOCATABLE_VOLUME, "restart").orElseThrow();
            assertEquals(written, read, "the same object, generation and resourceVersion after a restart");
            assertEquals(2, read.path("metadata").path("generation").asLong());
            assertTrue(restarted.get(RELOCATOR_CONFIG, "default").isPresent());
            ObjectNode next = restarted.update(RELOCATABLE_VOLUME, "restart", Volumes.valid("restart"), rv(read));
            assertEquals(3, next.path("metadata").path("generation").asLong());
            assertEquals("Attached", next.path("status").path("phase").asText());
        }
    }

    @Test
    void twoInstancesWritingTheSameVersionOneWins() {
        try (VersionedResourceStore a = swarm.newStore(); VersionedResourceStore b = swarm.newStore()) {
            ObjectNode v = a.create(RELOCATABLE_VOLUME, Volumes.valid("race"));
            ObjectNode seenByB = b.get(RELOCATABLE_VOLUME, "race").orElseThrow();
            a.update(RELOCATABLE_VOLUME, "race", Volumes.valid("race", o -> o.withObject("spec").put("paused", true)), rv(v));
            try {
                b.update(RELOCATABLE_VOLUME, "race", Volumes.valid("race", o -> o.withObject("spec").put("target", "/b")), rv(seenByB));
                fail("the second write against the same version must fail");
            } catch (StoreException e) {
                assertEquals(StatusReason.Conflict, e.status().reason());
            }
            // below the precondition check: the config name itself is the compare-and-swap
            SwarmConfigBackend raw = swarm.backend(3);
            StoreBackend.Record head = raw.head(RELOCATABLE_VOLUME, "race").orElseThrow();
            StoreBackend.Record stale = new StoreBackend.Record(RELOCATABLE_VOLUME, "race", head.sequence() - 1, 0, 1, false, head.object());
            try {
                raw.append(RELOCATABLE_VOLUME, "race", stale, 1, false, Volumes.valid("race"));
                fail("appending after a stale head must fail");
            } catch (StoreBackend.ConcurrentWriteException expected) {
                // fine
            }
            assertTrue(b.get(RELOCATABLE_VOLUME, "race").orElseThrow().path("spec").path("paused").asBoolean());
            raw.close();
        }
    }

    @Test
    void deletionLeavesATombstoneThatAFreshWatchReplays() throws Exception {
        String before;
        try (VersionedResourceStore store = swarm.newStore()) {
            before = rv(store.create(RELOCATABLE_VOLUME, Volumes.valid("doomed")));
            assertTrue(store.delete(RELOCATABLE_VOLUME, "doomed", null).removed());
            List<JsonNode> left = configsOf("doomed");
            assertEquals(1, left.size());
            assertEquals("true", left.get(0).path("Spec").path("Labels").path(SwarmConfigBackend.TOMBSTONE).asText());
        }
        List<WatchEvent> events = new CopyOnWriteArrayList<>();
        try (VersionedResourceStore restarted = swarm.newStore();
             AutoCloseable w = restarted.watch(RELOCATABLE_VOLUME, before, events::add)) {
            assertTrue(events.stream().anyMatch(e -> e.type() == WatchEvent.Type.DELETED
                    && e.object().path("metadata").path("name").asText().equals("doomed")), events.toString());
            assertTrue(restarted.get(RELOCATABLE_VOLUME, "doomed").isEmpty());
            restarted.create(RELOCATABLE_VOLUME, Volumes.valid("doomed"));
            List<JsonNode> after = configsOf("doomed");
            assertEquals(1, after.size(), "the recreated object replaced its tombstone");
            assertFalse(after.get(0).path("Spec").path("Labels").has(SwarmConfigBackend.TOMBSTONE));
            await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(e -> e.type() == WatchEvent.Type.ADDED));
        }
    }

    @Test
    void longNamesFitSwarmsConfigNameLimit() {
        String name = "a".repeat(30) + "-" + "b".repeat(32);
        try (VersionedResourceStore store = swarm.newStore()) {
            store.create(RELOCATABLE_VOLUME, Volumes.valid(name));
            List<JsonNode> c = configsOf(name);
            assertEquals(1, c.size());
            assertTrue(c.get(0).path("Spec").path("Name").asText().length() <= 64);
            assertEquals(name, store.get(RELOCATABLE_VOLUME, name).orElseThrow().path("metadata").path("name").asText());
        }
    }

    @Test
    void aLabelledServiceIsListedAsAResource() {
        String svc = "rlc" + swarm.scope() + "_db";
        String id = swarm.createService(svc, Map.of("relocator.dev/volume", swarm.scope() + "-pg", "relocator.dev/driver", "local",
                "relocator.dev/volume-opt.type", "nfs", "relocator.dev/volume-opt.o", "addr=nas,rw",
                "relocator.dev/volume-opt.device", ":/pg", "relocator.dev/target", "/data"));
        try (VersionedResourceStore store = swarm.newStore()) {
            List<String> names = new ArrayList<>();
            store.list(RELOCATABLE_VOLUME).items().forEach(o -> names.add(o.path("metadata").path("name").asText()));
            assertTrue(names.contains(swarm.scope() + "-pg"), names.toString());
            ObjectNode o = store.get(RELOCATABLE_VOLUME, swarm.scope() + "-pg").orElseThrow();
            assertEquals("service/" + svc, o.path("metadata").path("annotations").path(ResourceStore.SOURCE_ANNOTATION).asText());
            assertEquals(svc, o.path("spec").path("service").asText());
        } finally {
            swarm.removeService(id);
        }
    }

    @Test
    void aServiceWithOnlyTheVolumeLabelIsListedWithWhatItsMountAndConstraintsSay() {
        String svc = "rlm" + swarm.scope() + "_db";
        String volume = swarm.scope() + "_pgm";
        String id = swarm.createService(svc, Map.of("relocator.dev/volume", volume), t -> {
            ObjectNode mount = ((ObjectNode) t.get("ContainerSpec")).putArray("Mounts").addObject();
            mount.put("Type", "volume").put("Source", volume).put("Target", "/var/lib/postgresql/data");
            ObjectNode dc = mount.putObject("VolumeOptions").putObject("DriverConfig");
            dc.put("Name", "local");
            dc.putObject("Options").put("type", "nfs").put("o", "addr=nas,rw").put("device", ":/pg");
            t.putObject("Placement").putArray("Constraints").add("node.role==manager").add("node.id==" + "x1y2z3");
        });
        String missing = swarm.createService("rln" + swarm.scope() + "_db", Map.of("relocator.dev/volume", swarm.scope() + "-none"));
        try (VersionedResourceStore store = swarm.newStore()) {
            String name = dev.relocator.crd.validation.MetadataValidator.toDnsLabel(volume);
            ObjectNode o = store.get(RELOCATABLE_VOLUME, name).orElseThrow(() -> new AssertionError("not listed: " + name));
            assertEquals("/var/lib/postgresql/data", o.path("spec").path("target").asText());
            assertEquals("local", o.path("spec").path("volume").path("driver").asText());
            assertEquals("addr=nas,rw", o.path("spec").path("volume").path("options").path("o").asText());
            assertEquals("[\"node.role==manager\"]", o.path("spec").path("placement").path("constraints").toString());
            assertFalse(o.path("metadata").path("annotations").has(ResourceStore.LABEL_ERRORS_ANNOTATION), o.toString());

            ObjectNode bad = store.get(RELOCATABLE_VOLUME, swarm.scope() + "-none").orElseThrow();
            assertTrue(bad.path("metadata").path("annotations").path(ResourceStore.LABEL_ERRORS_ANNOTATION).asText()
                    .startsWith("labels[relocator.dev/volume]: service rln" + swarm.scope() + "_db mounts no volume named"), bad.toString());
        } finally {
            swarm.removeService(id);
            swarm.removeService(missing);
        }
    }

    static ObjectNode config() {
        try {
            return (ObjectNode) dev.relocator.crd.Resources.jsonMapper().readTree(
                    "{\"apiVersion\":\"relocator.dev/v1alpha1\",\"kind\":\"RelocatorConfig\",\"metadata\":{\"name\":\"default\"},"
                            + "\"spec\":{\"volumeDrivers\":[\"vieux/sshfs\"]}}");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
