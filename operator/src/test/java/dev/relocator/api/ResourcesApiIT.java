package dev.relocator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relocator.store.Volumes;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The REST API over HTTP, storing into the real swarm. */
@QuarkusTest
@QuarkusTestResource(value = ApiTestResource.class, restrictToAnnotatedClass = true)
class ResourcesApiIT {

    static final String RVS = "/apis/relocator.dev/v1alpha1/relocatablevolumes";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI base;

    /** The controller's in-process path for status writes. */
    @jakarta.inject.Inject
    dev.relocator.store.VersionedResourceStore store;

    static RequestSpecification authed() {
        return given().header("Authorization", "Bearer " + ApiTestResource.TOKEN);
    }

    @Test
    void createGetListReplacePatchDelete() {
        Response created = authed().contentType("application/json").body(Volumes.json("crud")).post(RVS);
        created.then().statusCode(201).body("metadata.generation", equalTo(1)).body("metadata.uid", org.hamcrest.Matchers.notNullValue());
        String rv1 = created.path("metadata.resourceVersion");

        given().get(RVS + "/crud").then().statusCode(200).body("spec.service", equalTo("shop_db"))
                .body("spec.fencing.leaseSeconds", equalTo(4)); // defaulted on the way in
        given().get(RVS).then().statusCode(200).body("kind", equalTo("RelocatableVolumeList"))
                .body("metadata.resourceVersion", org.hamcrest.Matchers.notNullValue()).body("items.metadata.name", hasItem("crud"));

        String yaml = """
                apiVersion: relocator.dev/v1alpha1
                kind: RelocatableVolume
                metadata: {name: crud, resourceVersion: "%s"}
                spec:
                  service: shop_db
                  volume: {name: crud-data, driver: local, options: {type: nfs, o: "addr=nas,rw", device: ":/pg"}}
                  target: /srv/data
                """.formatted(rv1);
        Response replaced = authed().contentType("application/yaml").body(yaml.getBytes(StandardCharsets.UTF_8)).put(RVS + "/crud");
        replaced.then().statusCode(200).body("metadata.generation", equalTo(2)).body("spec.target", equalTo("/srv/data"));
        // the same body again names a resourceVersion that is no longer current
        authed().contentType("application/yaml").body(yaml.getBytes(StandardCharsets.UTF_8)).put(RVS + "/crud").then().statusCode(409)
                .body("reason", equalTo("Conflict")).body("message", containsString("the object has been modified"));

        authed().contentType("application/merge-patch+json").body("{\"spec\":{\"paused\":true}}").patch(RVS + "/crud")
                .then().statusCode(200).body("spec.paused", equalTo(true)).body("metadata.generation", equalTo(3))
                .body("spec.target", equalTo("/srv/data"));
        authed().contentType("application/merge-patch+json").body("{\"metadata\":{\"labels\":{\"team\":\"shop\"}}}").patch(RVS + "/crud")
                .then().statusCode(200).body("metadata.generation", equalTo(3)).body("metadata.labels.team", equalTo("shop"));

        given().get(RVS + "/crud/status").then().statusCode(200).body("metadata.name", equalTo("crud"));
        authed().contentType("application/json").body("{}").put(RVS + "/crud/status").then().statusCode(405)
                .body("reason", equalTo("MethodNotAllowed")).body("message", containsString("controller only"));

        given().get(RVS + "/crud/events").then().statusCode(200).body("kind", equalTo("EventList"))
                .body("items.reason", hasItem("SpecChanged"));

        authed().delete(RVS + "/crud").then().statusCode(200).body("status", equalTo("Success"));
        given().get(RVS + "/crud").then().statusCode(404).body("reason", equalTo("NotFound"))
                .body("message", equalTo("relocatablevolumes.relocator.dev \"crud\" not found"));
    }

    @Test
    void deleteWaitsForTheRelocationInFlight() {
        authed().contentType("application/json").body(Volumes.json("inflight")).post(RVS).then().statusCode(201);
        store.updateStatus(dev.relocator.store.ResourceKind.RELOCATABLE_VOLUME, "inflight",
                Volumes.status("Fencing", "w1", 1, "False", "NodeLost", "2026-12-04T10:00:00Z"), null);
        // what a user read (status included) goes back unchanged: accepted
        String read = given().get(RVS + "/inflight").then().statusCode(200).extract().asString();
        authed().contentType("application/json").body(read).put(RVS + "/inflight").then().statusCode(200);

        authed().delete(RVS + "/inflight").then().statusCode(202)
                .body("metadata.deletionTimestamp", org.hamcrest.Matchers.notNullValue())
                .body("metadata.finalizers", hasItem("relocator.dev/relocation-in-flight"));
        given().get(RVS + "/inflight").then().statusCode(200).body("status.phase", equalTo("Fencing"));
        authed().contentType("application/merge-patch+json").body("{\"spec\":{\"paused\":true}}").patch(RVS + "/inflight")
                .then().statusCode(409).body("message", containsString("is being deleted"));
        given().get(RVS + "/inflight/events").then().statusCode(200)
                .body("items.reason", hasItem("DeletionRequested")).body("items.reason", hasItem("PhaseFencing"))
                .body("items.reason", hasItem("NodeLost"));

        store.updateStatus(dev.relocator.store.ResourceKind.RELOCATABLE_VOLUME, "inflight",
                Volumes.status("Attached", "w2", 1, "True", "Attached", "2026-12-04T10:00:09Z"), null);
        given().get(RVS + "/inflight").then().statusCode(404);
        authed().contentType("application/json").body(Volumes.json("inflight")).post(RVS).then().statusCode(201)
                .body("metadata.generation", equalTo(1));
        authed().delete(RVS + "/inflight").then().statusCode(200);
    }

    @Test
    void relocateAndDrainRecordTheRequestForTheController() {
        authed().contentType("application/json").body(Volumes.json("mover")).post(RVS).then().statusCode(201);
        String hostname = given().get("/apis/relocator.dev/v1alpha1/relocatablevolumes").then().extract().path("kind");
        assertEquals("RelocatableVolumeList", hostname);
        String node = ApiTestResource.swarm.api().list("/nodes", java.util.Map.of()).get(0).path("Description").path("Hostname").asText();
        String nodeId = ApiTestResource.swarm.api().list("/nodes", java.util.Map.of()).get(0).path("ID").asText();
        authed().contentType("application/json").body("{\"to\":\"" + node + "\"}").post(RVS + "/mover/relocate").then().statusCode(202)
                .body("metadata.annotations.'relocator.dev/relocate-to'", equalTo(nodeId))
                .body("metadata.generation", equalTo(1));
        given().get(RVS + "/mover/events").then().statusCode(200).body("items.reason", hasItem("RelocateRequested"));
        authed().post("/apis/relocator.dev/v1alpha1/nodes/" + node + "/drain").then().statusCode(202)
                .body("status", equalTo("Success")).body("message", containsString("0 relocatable volume(s)"));
        authed().delete(RVS + "/mover").then().statusCode(200);
    }

    @Test
    void relocatorConfigIsServedToo() {
        String cfg = "{\"apiVersion\":\"relocator.dev/v1alpha1\",\"kind\":\"RelocatorConfig\",\"metadata\":{\"name\":\"default\"},"
                + "\"spec\":{\"volumeDrivers\":[\"vieux/sshfs\"]}}";
        authed().contentType("application/json").body(cfg).post("/apis/relocator.dev/v1alpha1/relocatorconfigs").then().statusCode(201);
        // the stored allowlist now admits the plugin for RelocatableVolumes
        String sshfs = Volumes.json("sshfsvol").replace("\"driver\":\"local\"", "\"driver\":\"vieux/sshfs\"")
                .replace("\"options\":{\"type\":\"nfs\",\"o\":\"addr=nas,rw\",\"device\":\":/pg\"}", "\"options\":{\"sshcmd\":\"u@h:/x\"}");
        authed().contentType("application/json").body(sshfs).post(RVS).then().statusCode(201);
        authed().delete(RVS + "/sshfsvol").then().statusCode(200);
        authed().delete("/apis/relocator.dev/v1alpha1/relocatorconfigs/default").then().statusCode(200);
    }

    /**
     * Another instance's write (a store of its own on the same swarm; this API's store is not told) reaches an
     * open watch through the Docker config event. The store's own re-read is an hour away and the event source's
     * resync 30 s: the 5 s bound leaves only the event path (plus a small chance that a resync falls into it).
     */
    @Test
    void aWatchSeesAnotherInstancesWriteThroughDockerEvents() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        HttpResponse<java.util.stream.Stream<String>> resp = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(base.resolve(RVS + "?watch=true")).build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, resp.statusCode());
        Thread reader = new Thread(() -> {
            try {
                resp.body().forEach(lines::add);
            } catch (java.io.UncheckedIOException ignored) {
                // the stream ends with the test
            }
        });
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains(": keepalive")); // subscribed
        try (dev.relocator.store.VersionedResourceStore other = ApiTestResource.swarm.newStore()) {
            other.create(dev.relocator.store.ResourceKind.RELOCATABLE_VOLUME, Volumes.valid("elsewhere"));
            await("ADDED elsewhere on the watch").atMost(Duration.ofSeconds(5))
                    .until(() -> lines.stream().anyMatch(l -> l.startsWith("data: ") && l.contains("\"elsewhere\"")));
            other.delete(dev.relocator.store.ResourceKind.RELOCATABLE_VOLUME, "elsewhere", null);
            await("DELETED elsewhere on the watch").atMost(Duration.ofSeconds(5))
                    .until(() -> lines.stream().anyMatch(l -> l.startsWith("data: ") && l.contains("\"DELETED\"") && l.contains("\"elsewhere\"")));
        } finally {
            resp.body().close();
        }
    }

    @Test
    void watchStreamsEventsAndResumes() throws Exception {
        String listRv = given().get(RVS).then().statusCode(200).extract().path("metadata.resourceVersion");
        HttpClient http = HttpClient.newHttpClient();
        List<String> lines = new CopyOnWriteArrayList<>();
        HttpRequest req = HttpRequest.newBuilder(base.resolve(RVS + "?watch=true&resourceVersion=" + listRv)).build();
        HttpResponse<java.io.InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, resp.statusCode());
        assertTrue(resp.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    lines.add(l);
                }
            } catch (Exception ignored) {
                // stream closed at the end of the test
            }
        });
        reader.setDaemon(true);
        reader.start();

        String rv = authed().contentType("application/json").body(Volumes.json("watched")).post(RVS).then().statusCode(201)
                .extract().path("metadata.resourceVersion");
        authed().contentType("application/merge-patch+json").body("{\"spec\":{\"paused\":true}}").patch(RVS + "/watched").then().statusCode(200);
        authed().delete(RVS + "/watched").then().statusCode(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> lines.contains("event: DELETED"));
        List<String> events = lines.stream().filter(l -> l.startsWith("event: ")).toList();
        assertEquals(List.of("event: ADDED", "event: MODIFIED", "event: DELETED"), events);
        JsonNode added = JSON.readTree(lines.stream().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow().substring(6));
        assertEquals("ADDED", added.path("type").asText());
        assertEquals("watched", added.path("object").path("metadata").path("name").asText());
        assertTrue(lines.contains("id: " + rv), "the SSE id is the resourceVersion");
        await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains(": keepalive"));
        resp.body().close();

        // resuming from the create's resourceVersion replays only the later state: the deletion
        List<String> resumed = new CopyOnWriteArrayList<>();
        HttpResponse<java.util.stream.Stream<String>> again = http.send(HttpRequest.newBuilder(base.resolve(RVS + "?watch=1"))
                .header("Last-Event-ID", rv).build(), HttpResponse.BodyHandlers.ofLines());
        Thread r2 = new Thread(() -> {
            try {
                again.body().forEach(resumed::add);
            } catch (java.io.UncheckedIOException ignored) {
                // the stream ends with the test
            }
        });
        r2.setDaemon(true);
        r2.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> resumed.contains("event: DELETED"));
        assertTrue(resumed.stream().noneMatch(l -> l.equals("event: ADDED")), resumed.toString());
    }
}
