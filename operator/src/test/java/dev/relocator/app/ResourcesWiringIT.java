package dev.relocator.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.model.Service;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.relocator.api.ResourcesApi;
import dev.relocator.docker.DockerClients;
import dev.relocator.docker.swarm.RelocatorLabels;
import dev.relocator.docker.swarm.ServiceSnapshot;
import dev.relocator.docker.swarm.SwarmAdapter;
import dev.relocator.testkit.docker.DockerEngine;
import dev.relocator.testkit.docker.TestResources;
import dev.relocator.testkit.docker.TestWorkloads;
import dev.relocator.crd.validation.MetadataValidator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RelocatableVolumes created through the REST API drive the controller of the running application
 * on the host's single-node swarm: placement, status written back (phase, node, epoch,
 * observedGeneration, conditions), pause, an unusable change reported without being applied, and
 * a delete held by a relocation in flight until it settles. Real engine, real Raft, real HTTP.
 */
@QuarkusTest
@QuarkusTestResource(value = WiredSwarmResource.class, restrictToAnnotatedClass = true)
class ResourcesWiringIT {

    private static final String RVS = "/apis/relocator.dev/v1alpha1/relocatablevolumes";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> IN_FLIGHT = Set.of("Fencing", "Detaching", "Attaching", "Starting");

    private DockerClients docker;
    private TestResources resources;
    private SwarmAdapter swarm;
    private final List<String> volumes = new ArrayList<>();
    private final List<String> created = new ArrayList<>();

    @BeforeEach
    void setUp() {
        docker = DockerEngine.connect();
        resources = new TestResources(docker.requests());
        swarm = new SwarmAdapter(docker.requests());
    }

    @AfterEach
    void tearDown() {
        for (String name : created) {
            authed().delete(RVS + "/" + name); // best effort: the scope's configs go with the resource anyway
        }
        resources.close();
        for (String v : volumes) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                try {
                    docker.requests().removeVolumeCmd(v).exec();
                } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
                    return true;
                }
                return true;
            });
        }
        docker.close();
    }

    private static RequestSpecification authed() {
        return given().port(SingleNodeSwarmResource.port).header("Authorization", "Bearer " + WiredSwarmResource.TOKEN);
    }

    private static RequestSpecification anon() {
        return given().port(SingleNodeSwarmResource.port);
    }

    private String self() {
        return new SwarmAdapter(docker.requests()).role().nodeId();
    }

    /** A workload service that does not opt in by label: only the stored RelocatableVolume names it. */
    private String service(String base, String volume, Path shared, int replicas, String image) {
        String name = resources.name(base);
        ObjectNode spec = JSON.createObjectNode();
        spec.put("Name", name);
        ObjectNode labels = spec.putObject("Labels");
        resources.labels().forEach(labels::put);
        ObjectNode container = spec.putObject("TaskTemplate").putObject("ContainerSpec");
        container.put("Image", image);
        container.putArray("Command").add("sh").add("-c").add("echo started >> /data/log && sleep 3600");
        ObjectNode containerLabels = container.putObject("Labels");
        resources.labels().forEach(containerLabels::put);
        ObjectNode mount = container.putArray("Mounts").addObject();
        mount.put("Type", "volume").put("Source", volume).put("Target", "/data");
        ObjectNode driver = mount.putObject("VolumeOptions").putObject("DriverConfig");
        driver.put("Name", "local");
        driver.putObject("Options").put("type", "none").put("o", "bind").put("device", shared.toString());
        spec.putObject("Mode").putObject("Replicated").put("Replicas", replicas);
        var http = ((DockerClientImpl) docker.requests()).getHttpClient();
        try (var response = http.execute(DockerHttpClient.Request.builder().method("POST").path("/v1.41/services/create")
                .putHeader("Content-Type", "application/json").bodyBytes(JSON.writeValueAsBytes(spec)).build())) {
            assertEquals(201, response.getStatusCode(), "service created");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return name;
    }

    private String volumeJson(String name, String service, String volume, Path shared) {
        return """
                {"apiVersion":"relocator.dev/v1alpha1","kind":"RelocatableVolume","metadata":{"name":"%s"},
                 "spec":{"service":"%s","volume":{"name":"%s","driver":"local",
                   "options":{"type":"none","o":"bind","device":"%s"}},
                   "target":"/data","ownership":{"uid":4321,"gid":4322,"mode":"0770"}}}
                """.formatted(name, service, volume, shared);
    }

    private JsonNode get(String name) {
        Response r = anon().get(RVS + "/" + name);
        assertEquals(200, r.statusCode(), () -> "GET " + name + ": " + r.asString());
        try {
            return JSON.readTree(r.asString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode condition(JsonNode rv, String type) {
        for (JsonNode c : rv.path("status").path("conditions")) {
            if (c.path("type").asText().equals(type)) {
                return c;
            }
        }
        throw new AssertionError("no condition " + type + " in " + rv.path("status"));
    }

    private String create(String base, int replicas, String image) {
        String name = resources.name(base).toLowerCase().replace('_', '-');
        String volume = resources.name(base + "-vol");
        volumes.add(volume);
        Path shared = resources.sharedDirectory(base);
        String service = service(base, volume, shared, replicas, image);
        authed().contentType("application/json").body(volumeJson(name, service, volume, shared)).post(RVS).then().statusCode(201);
        created.add(name);
        return name;
    }

    @Test
    void aVolumeCreatedThroughTheApiIsPlacedReportsReadyAndCanBePaused() throws Exception {
        String name = create("api-place", 0, resources.image());
        String service = get(name).path("spec").path("service").asText();
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            ServiceSnapshot s = swarm.service(service).orElseThrow();
            assertEquals("Attached", s.labels().get(RelocatorLabels.PHASE), () -> "labels " + s.labels());
            assertEquals(self(), s.pinnedNode().orElse(null), () -> "constraints " + s.constraints());
            assertEquals(1L, s.replicas().orElseThrow());
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode rv = get(name);
            assertEquals("Attached", rv.path("status").path("phase").asText(), () -> rv.path("status").toString());
            assertEquals(self(), rv.path("status").path("node").asText());
            assertTrue(rv.path("status").path("epoch").asLong() >= 1);
            assertEquals(rv.path("metadata").path("generation").asLong(), rv.path("status").path("observedGeneration").asLong());
            assertEquals("True", condition(rv, "Ready").path("status").asText());
            assertEquals("False", condition(rv, "Relocating").path("status").asText());
            assertEquals("False", condition(rv, "Degraded").path("status").asText());
        });
        Path shared = Path.of(get(name).path("spec").path("volume").path("options").path("device").asText());
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(shared.resolve("log")));
        assertEquals(4321, (int) Files.getAttribute(shared, "unix:uid"), "ownership from the stored spec was applied");

        String readyAt = condition(get(name), "Ready").path("lastTransitionTime").asText();
        authed().contentType("application/merge-patch+json").body("{\"spec\":{\"paused\":true}}").patch(RVS + "/" + name)
                .then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode rv = get(name);
            assertEquals(2, rv.path("metadata").path("generation").asLong());
            assertEquals(2, rv.path("status").path("observedGeneration").asLong(), () -> rv.path("status").toString());
            assertEquals("Paused", condition(rv, "Relocating").path("reason").asText());
            assertEquals("True", condition(rv, "Ready").path("status").asText());
        });
        assertEquals(readyAt, condition(get(name), "Ready").path("lastTransitionTime").asText(),
                "Ready did not flip: its transition time stays");

        // a move request without its time cannot be applied: reported, nothing of it acted on
        authed().contentType("application/merge-patch+json")
                .body("{\"metadata\":{\"annotations\":{\"" + ResourcesApi.RELOCATE_TO + "\":\"" + self() + "\"}}}")
                .patch(RVS + "/" + name).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode rv = get(name);
            JsonNode degraded = condition(rv, "Degraded");
            assertEquals("True", degraded.path("status").asText(), () -> rv.path("status").toString());
            assertEquals("InvalidSpec", degraded.path("reason").asText());
            assertTrue(degraded.path("message").asText().contains(ResourcesApi.REQUESTED_AT), degraded.path("message").asText());
            assertEquals(2, rv.path("status").path("observedGeneration").asLong());
        });
        assertEquals("Attached", swarm.service(service).orElseThrow().labels().get(RelocatorLabels.PHASE));
        authed().contentType("application/merge-patch+json")
                .body("{\"metadata\":{\"annotations\":{\"" + ResourcesApi.RELOCATE_TO + "\":null}}}")
                .patch(RVS + "/" + name).then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertEquals("False", condition(get(name), "Degraded").path("status").asText()));
    }

    @Test
    void aDeleteDuringARelocationWaitsUntilItSettles() throws Exception {
        // the image does not exist: after the first placement the task never runs, so the volume stays in Starting
        String name = create("api-inflight", 0, "relocator-test-missing-image:none");
        String service = get(name).path("spec").path("service").asText();
        Set<String> relocatingReasons = new ConcurrentSkipListSet<>();
        // generous bound: on a loaded 2-core machine the first placement right after start can wait for the agent
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode rv = get(name);
            if (rv.path("status").has("conditions") && "True".equals(condition(rv, "Relocating").path("status").asText())) {
                relocatingReasons.add(condition(rv, "Relocating").path("reason").asText());
            }
            assertEquals("Starting", rv.path("status").path("phase").asText(), () -> rv.path("status").toString());
        });
        assertTrue(relocatingReasons.contains("Starting"), "Relocating=True with the phase as reason: " + relocatingReasons);
        JsonNode rv = get(name);
        assertEquals("False", condition(rv, "Ready").path("status").asText());

        Response del = authed().delete(RVS + "/" + name);
        assertEquals(202, del.statusCode(), del::asString);
        JsonNode marked = JSON.readTree(del.asString());
        assertTrue(marked.path("metadata").path("finalizers").toString().contains("relocator.dev/relocation-in-flight"));
        assertFalse(marked.path("metadata").path("deletionTimestamp").asText().isEmpty());
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> anon().get(RVS + "/" + name).statusCode() == 200);

        // let the task run: Starting → Attached, and the status write that says so completes the delete
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Service s = docker.requests().inspectServiceCmd(service).exec();
            ServiceSpec spec = s.getSpec();
            spec.getTaskTemplate().getContainerSpec().withImage(resources.image());
            docker.requests().updateServiceCmd(s.getId(), spec).withVersion(s.getVersion().getIndex()).exec();
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertEquals(404, anon().get(RVS + "/" + name).statusCode()));
        assertEquals("Attached", swarm.service(service).orElseThrow().labels().get(RelocatorLabels.PHASE),
                "the delete completed only once the relocation had settled");
        created.remove(name);
    }

    /** A service that opts in the way the lab and deploy/ do: the volume label and a mount, nothing else. */
    private String labelledService(String base, Path shared, Map<String, String> more) {
        String service = resources.name(base);
        String volume = resources.name(base + "-vol");
        volumes.add(volume);
        TestWorkloads.create(docker.requests(), resources, service, volume, shared, 0, more);
        return service;
    }

    /** Sets or removes ({@code value == null}) one label of the service, retried over the controller's own writes. */
    private void label(String service, String key, String value) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Service s = docker.requests().inspectServiceCmd(service).exec();
            ServiceSpec spec = s.getSpec();
            Map<String, String> labels = new HashMap<>(spec.getLabels());
            if (value == null) {
                labels.remove(key);
            } else {
                labels.put(key, value);
            }
            spec.withLabels(labels);
            docker.requests().updateServiceCmd(s.getId(), spec).withVersion(s.getVersion().getIndex()).exec();
        });
    }

    private static String dnsName(String volume) {
        return MetadataValidator.toDnsLabel(volume);
    }

    @Test
    void aLabelOnlyServiceIsTheSameResourceForTheApiAndTheControllerAndPausedHoldsIt() throws Exception {
        Path sharedA = resources.sharedDirectory("lbl-a");
        String held = labelledService("lbl-a", sharedA, Map.of("relocator.dev/paused", "true"));
        String name = dnsName(resources.name("lbl-a-vol"));

        // the API sees it with what the service's mount says, though no relocator.dev/target label exists
        await().atMost(Duration.ofSeconds(10)).until(() -> anon().get(RVS + "/" + name).statusCode() == 200);
        JsonNode rv = get(name);
        assertEquals(held, rv.path("spec").path("service").asText());
        assertEquals("/data", rv.path("spec").path("target").asText());
        assertEquals("local", rv.path("spec").path("volume").path("driver").asText());
        assertEquals(sharedA.toString(), rv.path("spec").path("volume").path("options").path("device").asText());
        assertTrue(rv.path("spec").path("paused").asBoolean());
        assertEquals("service/" + held, rv.path("metadata").path("annotations").path("relocator.dev/source").asText());
        JsonNode list = JSON.readTree(anon().get(RVS).asString());
        List<String> names = new ArrayList<>();
        list.path("items").forEach(i -> names.add(i.path("metadata").path("name").asText()));
        assertTrue(names.contains(name), () -> "listed: " + names);
        assertEquals("Paused", condition(get(name), "Relocating").path("reason").asText());

        // a second one, not paused, created after it: once the controller has placed it, it has read the first one too
        Path sharedB = resources.sharedDirectory("lbl-b");
        String free = labelledService("lbl-b", sharedB, Map.of());
        String other = dnsName(resources.name("lbl-b-vol"));
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            JsonNode b = get(other);
            assertEquals("Attached", b.path("status").path("phase").asText(), () -> b.path("status").toString());
            assertEquals(self(), b.path("status").path("node").asText());
            assertTrue(b.path("status").path("epoch").asLong() >= 1);
            assertEquals(1, b.path("status").path("observedGeneration").asLong());
            assertEquals("True", condition(b, "Ready").path("status").asText());
            assertEquals("Settled", condition(b, "Relocating").path("reason").asText());
            assertEquals("False", condition(b, "Degraded").path("status").asText());
        });
        assertEquals(self(), swarm.service(free).orElseThrow().pinnedNode().orElse(null));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            ServiceSnapshot s = swarm.service(held).orElseThrow();
            assertEquals(0L, s.replicas().orElseThrow(), "paused holds even the first placement");
            assertFalse(s.labels().containsKey(RelocatorLabels.PHASE), () -> "labels " + s.labels());
            assertEquals("Pending", get(name).path("status").path("phase").asText());
        });

        // removing the label lets it go: placed and Ready
        label(held, "relocator.dev/paused", null);
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
            JsonNode a = get(name);
            assertEquals("Attached", a.path("status").path("phase").asText(), () -> a.path("status").toString());
            assertEquals("True", condition(a, "Ready").path("status").asText());
            assertEquals("Settled", condition(a, "Relocating").path("reason").asText());
        });
        assertEquals(self(), swarm.service(held).orElseThrow().pinnedNode().orElse(null));

        // paused again on an attached volume: reported as for a stored resource, the attachment stays
        label(held, "relocator.dev/paused", "true");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode a = get(name);
            assertEquals("Paused", condition(a, "Relocating").path("reason").asText(), () -> a.path("status").toString());
            assertEquals("False", condition(a, "Relocating").path("status").asText());
            assertEquals("True", condition(a, "Ready").path("status").asText());
            assertEquals("Attached", a.path("status").path("phase").asText());
        });

        // a bad label: Degraded/InvalidSpec naming the label and the fix; nothing of it is acted on
        label(free, "relocator.dev/lease-seconds", "1");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode b = get(other);
            JsonNode degraded = condition(b, "Degraded");
            assertEquals("True", degraded.path("status").asText(), () -> b.path("status").toString());
            assertEquals("InvalidSpec", degraded.path("reason").asText());
            assertTrue(degraded.path("message").asText().contains("labels[relocator.dev/lease-seconds]: must be ≥ 2, got 1"),
                    degraded.path("message").asText());
            assertEquals("Attached", b.path("status").path("phase").asText());
        });
        Response patched = authed().contentType("application/merge-patch+json").body("{\"spec\":{\"fencing\":{\"leaseSeconds\":4}}}")
                .patch(RVS + "/" + other);
        assertEquals(409, patched.statusCode(), patched::asString);
        assertTrue(patched.asString().contains("labels of service " + free), "the answer says to change the labels: " + patched.asString());
    }
}
