package dev.relocator.api;

import dev.relocator.store.Volumes;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed and hostile API calls, one row each: every one gets a precise Status (HTTP code,
 * reason, a message naming the problem and the fix) and leaves the swarm's configs exactly as
 * they were (same ids, names, versions, labels).
 */
@QuarkusTest
@QuarkusTestResource(value = ApiTestResource.class, restrictToAnnotatedClass = true)
class HostileApiCallsIT {

    static final String BASE = "/apis/relocator.dev/v1alpha1";
    static final String RVS = BASE + "/relocatablevolumes";

    /** One hostile call and what it must be answered with. */
    record Row(String name, String method, String path, String contentType, Supplier<byte[]> body, String auth,
               int code, String reason, List<String> fragments) {
    }

    private static String currentRv;

    @BeforeEach
    void existing() {
        Response r = given().get(RVS + "/existing");
        if (r.statusCode() == 404) {
            r = given().header("Authorization", "Bearer " + ApiTestResource.TOKEN).contentType("application/json")
                    .body(Volumes.json("existing")).post(RVS);
            assertEquals(201, r.statusCode(), r.asString());
            String rv = r.path("metadata.resourceVersion");
            // a second write, so that the first resourceVersion is stale
            r = given().header("Authorization", "Bearer " + ApiTestResource.TOKEN).contentType("application/merge-patch+json")
                    .body("{\"metadata\":{\"labels\":{\"v\":\"2\"}}}").patch(RVS + "/existing");
            assertEquals(200, r.statusCode(), r.asString());
            staleRv = rv;
        }
        currentRv = r.path("metadata.resourceVersion");
    }

    private static String staleRv;

    static String with(String name, String find, String replace) {
        String j = Volumes.json(name);
        if (!j.contains(find)) {
            throw new IllegalArgumentException(find);
        }
        return j.replace(find, replace);
    }

    static Supplier<byte[]> s(String text) {
        return () -> text.getBytes(StandardCharsets.UTF_8);
    }

    static Supplier<byte[]> s(Supplier<String> text) {
        return () -> text.get().getBytes(StandardCharsets.UTF_8);
    }

    static final String OK = "Bearer " + ApiTestResource.TOKEN;
    static final String JSONT = "application/json";

    static List<Row> rows() {
        List<Row> r = new ArrayList<>();
        r.add(new Row("wrong type for leaseSeconds", "POST", RVS, JSONT,
                s(with("h1", "\"target\"", "\"fencing\":{\"leaseSeconds\":\"four\"},\"target\"")), OK, 422, "Invalid",
                List.of("spec.fencing.leaseSeconds", "integer")));
        r.add(new Row("unknown field (typo)", "POST", RVS, JSONT,
                s(with("h2", "\"target\"", "\"fencin\":{},\"target\"")), OK, 422, "Invalid", List.of("spec.fencin", "did you mean")));
        r.add(new Row("bind mount of /", "POST", RVS, JSONT,
                s(with("h3", "{\"type\":\"nfs\",\"o\":\"addr=nas,rw\",\"device\":\":/pg\"}", "{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/\"}")),
                OK, 422, "Invalid", List.of("spec.volume.options.device")));
        r.add(new Row("bind mount of the docker socket via ..", "POST", RVS, JSONT,
                s(with("h4", "{\"type\":\"nfs\",\"o\":\"addr=nas,rw\",\"device\":\":/pg\"}",
                        "{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/srv/../var/run/docker.sock\"}")),
                OK, 422, "Invalid", List.of("spec.volume.options.device")));
        r.add(new Row("missing driver", "POST", RVS, JSONT, s(with("h5", "\"driver\":\"local\",", "")), OK, 422, "Invalid",
                List.of("spec.volume.driver", "required")));
        r.add(new Row("driver not on the allowlist", "POST", RVS, JSONT, s(with("h6", "\"driver\":\"local\"", "\"driver\":\"evil/plugin\"")),
                OK, 422, "Invalid", List.of("spec.volume.driver")));
        r.add(new Row("negative lease", "POST", RVS, JSONT,
                s(with("h7", "\"target\"", "\"fencing\":{\"leaseSeconds\":-4},\"target\"")), OK, 422, "Invalid",
                List.of("spec.fencing.leaseSeconds")));
        r.add(new Row("lease shorter than two heartbeats", "POST", RVS, JSONT,
                s(with("h8", "\"target\"", "\"fencing\":{\"leaseSeconds\":3,\"heartbeatSeconds\":2},\"target\"")), OK, 422, "Invalid",
                List.of("spec.fencing.leaseSeconds", "heartbeat")));
        r.add(new Row("setuid mode", "POST", RVS, JSONT, s(with("h9", "\"0700\"", "\"4755\"")), OK, 422, "Invalid",
                List.of("spec.ownership.mode")));
        r.add(new Row("target under /proc", "POST", RVS, JSONT, s(with("h10", "/var/lib/postgresql/data", "/proc/x")), OK, 422, "Invalid",
                List.of("spec.target")));
        r.add(new Row("nosuid off without the annotation", "POST", RVS, JSONT,
                s(with("h11", "\"target\"", "\"mountOptions\":{\"nosuid\":false},\"target\"")), OK, 422, "Invalid",
                List.of("spec.mountOptions.nosuid", "allow-insecure-mount")));
        r.add(new Row("namespace on a cluster-scoped kind", "POST", RVS, JSONT,
                s(with("h12", "{\"name\":\"h12\"}", "{\"name\":\"h12\",\"namespace\":\"prod\"}")), OK, 422, "Invalid",
                List.of("metadata.namespace", "cluster-scoped")));
        r.add(new Row("invalid name", "POST", RVS, JSONT, s(with("h13", "{\"name\":\"h13\"}", "{\"name\":\"Bad_Name\"}")), OK, 422,
                "Invalid", List.of("metadata.name")));
        r.add(new Row("wrong kind for the path", "POST", RVS, JSONT,
                s(with("h14", "\"kind\":\"RelocatableVolume\"", "\"kind\":\"RelocatorConfig\"")), OK, 422, "Invalid", List.of("kind")));
        r.add(new Row("name collision: create twice", "POST", RVS, JSONT, s(Volumes.json("existing")), OK, 409, "AlreadyExists",
                List.of("\"existing\" already exists")));
        r.add(new Row("stale resourceVersion on replace", "PUT", RVS + "/existing", JSONT,
                s(() -> with("existing", "{\"name\":\"existing\"}", "{\"name\":\"existing\",\"resourceVersion\":\"" + staleRv + "\"}")),
                OK, 409, "Conflict", List.of("the object has been modified", "latest version")));
        r.add(new Row("stale resourceVersion on delete", "DELETE", RVS + "/existing", JSONT,
                s(() -> "{\"preconditions\":{\"resourceVersion\":\"" + staleRv + "\"}}"), OK, 409, "Conflict", List.of("has been modified")));
        r.add(new Row("resourceVersion that was never handed out", "PUT", RVS + "/existing", JSONT,
                s(with("existing", "{\"name\":\"existing\"}", "{\"name\":\"existing\",\"resourceVersion\":\"abc\"}")), OK, 400, "BadRequest",
                List.of("not a version handed out", "read the object again")));
        r.add(new Row("oversized payload", "POST", RVS, JSONT, () -> {
            byte[] b = new byte[2 * 1024 * 1024];
            Arrays.fill(b, (byte) ' ');
            byte[] j = Volumes.json("big").getBytes(StandardCharsets.UTF_8);
            System.arraycopy(j, 0, b, 0, j.length);
            return b;
        }, OK, 413, "RequestEntityTooLarge", List.of("limit is 1048576")));
        r.add(new Row("unauthenticated mutation", "POST", RVS, JSONT, s(Volumes.json("h20")), null, 401, "Unauthorized",
                List.of("no token", "Authorization: Bearer")));
        r.add(new Row("wrong token", "DELETE", RVS + "/existing", null, null, "Bearer nope", 401, "Unauthorized", List.of("token is wrong")));
        r.add(new Row("not a bearer token", "DELETE", RVS + "/existing", null, null, "Basic dXNlcjpwYXNz", 401, "Unauthorized",
                List.of("not a bearer token")));
        r.add(new Row("wrong content type", "POST", RVS, "text/plain", s(Volumes.json("h23")), OK, 415, "UnsupportedMediaType",
                List.of("text/plain", "application/json or application/yaml")));
        r.add(new Row("wrong method on the collection", "DELETE", RVS, null, null, OK, 405, "MethodNotAllowed", List.of("not allowed")));
        r.add(new Row("wrong method on an action", "GET", RVS + "/existing/relocate", null, null, null, 405, "MethodNotAllowed",
                List.of("not allowed")));
        r.add(new Row("name in path differs from name in body", "PUT", RVS + "/existing", JSONT, s(Volumes.json("other")), OK, 400,
                "BadRequest", List.of("(other) does not match the name on the URL (existing)")));
        r.add(new Row("invalid JSON", "POST", RVS, JSONT, s("{\"apiVersion\": \"relocator.dev/v1alpha1\", "), OK, 400, "BadRequest",
                List.of("does not parse")));
        r.add(new Row("duplicate keys", "POST", RVS, JSONT, s("{\"kind\":\"RelocatableVolume\",\"kind\":\"RelocatableVolume\"}"), OK, 400,
                "BadRequest", List.of("does not parse")));
        r.add(new Row("YAML alias bomb", "POST", RVS, "application/yaml", s(bomb()), OK, 400, "BadRequest", List.of("does not parse")));
        r.add(new Row("two documents in one request", "POST", RVS, "application/yaml",
                s("apiVersion: relocator.dev/v1alpha1\nkind: RelocatableVolume\n---\napiVersion: relocator.dev/v1alpha1\n"), OK, 400,
                "BadRequest", List.of("2 documents")));
        r.add(new Row("empty body", "POST", RVS, JSONT, s(""), OK, 400, "BadRequest", List.of("no body")));
        r.add(new Row("resourceVersion on create", "POST", RVS, JSONT,
                s(with("h32", "{\"name\":\"h32\"}", "{\"name\":\"h32\",\"resourceVersion\":\"5\"}")), OK, 400, "BadRequest",
                List.of("must not be set on create")));
        r.add(new Row("status through the main resource on create", "POST", RVS, JSONT,
                s(with("h33", "\"spec\"", "\"status\":{\"phase\":\"Attached\",\"node\":\"w1\"},\"spec\"")), OK, 422, "Invalid",
                List.of("status", "controller only")));
        r.add(new Row("status through the main resource on replace", "PUT", RVS + "/existing", JSONT,
                s(with("existing", "\"spec\"", "\"status\":{\"phase\":\"Attached\",\"node\":\"w1\"},\"spec\"")), OK, 422, "Invalid",
                List.of("status", "controller only")));
        r.add(new Row("status through a merge patch", "PATCH", RVS + "/existing", "application/merge-patch+json",
                s("{\"status\":{\"phase\":\"Failed\"}}"), OK, 422, "Invalid", List.of("controller only")));
        r.add(new Row("status subresource write", "PUT", RVS + "/existing/status", JSONT, s("{}"), OK, 405, "MethodNotAllowed",
                List.of("controller only")));
        r.add(new Row("JSON patch instead of merge patch", "PATCH", RVS + "/existing", "application/json-patch+json",
                s("[{\"op\":\"remove\",\"path\":\"/spec\"}]"), OK, 415, "UnsupportedMediaType", List.of("application/merge-patch+json")));
        r.add(new Row("merge patch that is not an object", "PATCH", RVS + "/existing", "application/merge-patch+json", s("[1,2]"), OK, 400,
                "BadRequest", List.of("must be a JSON object")));
        r.add(new Row("merge patch that breaks the spec", "PATCH", RVS + "/existing", "application/merge-patch+json",
                s("{\"spec\":{\"volume\":{\"driver\":null}}}"), OK, 422, "Invalid", List.of("spec.volume.driver")));
        r.add(new Row("relocate to an unknown node", "POST", RVS + "/existing/relocate", JSONT, s("{\"to\":\"no-such-node\"}"), OK, 422,
                "Invalid", List.of("\"no-such-node\" is not in this swarm", "pick one of")));
        r.add(new Row("relocate without a target", "POST", RVS + "/existing/relocate", JSONT, s("{}"), OK, 422, "Invalid",
                List.of("to: is required")));
        r.add(new Row("relocate with a number as target", "POST", RVS + "/existing/relocate", JSONT, s("{\"to\":7}"), OK, 422, "Invalid",
                List.of("must be a non-empty string")));
        r.add(new Row("relocate with unknown fields", "POST", RVS + "/existing/relocate", JSONT, s("{\"to\":\"x\",\"force\":true}"), OK,
                422, "Invalid", List.of("force: unknown field")));
        r.add(new Row("relocate of a missing volume", "POST", RVS + "/ghost/relocate", JSONT, s("{\"to\":\"x\"}"), OK, 404, "NotFound",
                List.of("\"ghost\" not found")));
        r.add(new Row("drain of an unknown node", "POST", BASE + "/nodes/no-such-node/drain", null, null, OK, 404, "NotFound",
                List.of("not in this swarm", "docker node ls")));
        r.add(new Row("replace of a missing object", "PUT", RVS + "/ghost", JSONT, s(Volumes.json("ghost")), OK, 404, "NotFound",
                List.of("\"ghost\" not found")));
        r.add(new Row("delete of a missing object", "DELETE", RVS + "/ghost", null, null, OK, 404, "NotFound", List.of("\"ghost\" not found")));
        r.add(new Row("unknown resource type", "POST", BASE + "/volumes", JSONT, s(Volumes.json("h47")), OK, 404, "NotFound",
                List.of("\"volumes\"", "relocatablevolumes")));
        r.add(new Row("unknown path", "PUT", "/apis/other.io/v1/things/x/y/z", JSONT, s("{}"), OK, 404, "NotFound",
                List.of("could not find the requested resource")));
        r.add(new Row("RelocatorConfig with another name", "POST", BASE + "/relocatorconfigs", JSONT,
                s("{\"apiVersion\":\"relocator.dev/v1alpha1\",\"kind\":\"RelocatorConfig\",\"metadata\":{\"name\":\"mine\"},\"spec\":{}}"), OK,
                422, "Invalid", List.of("metadata.name", "default")));
        r.add(new Row("watch from a resourceVersion never handed out", "GET", RVS + "?watch=true&resourceVersion=xyz", null, null, null, 400,
                "BadRequest", List.of("not a version handed out")));
        return r;
    }

    static String bomb() {
        StringBuilder b = new StringBuilder("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for (int i = 1; i < 20; i++) {
            b.append((char) ('a' + i)).append(": &").append((char) ('a' + i)).append(" [");
            for (int k = 0; k < 10; k++) {
                b.append(k == 0 ? "" : ",").append('*').append((char) ('a' + i - 1));
            }
            b.append("]\n");
        }
        return b.toString();
    }

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URI base;

    /** A 2 MiB body streamed without Content-Length passes the header check and is caught after reading. */
    @org.junit.jupiter.api.Test
    void anOversizedChunkedBodyIsRefusedToo() throws Exception {
        TreeSet<String> before = ApiTestResource.swarm.configs();
        byte[] big = new byte[2 * 1024 * 1024];
        Arrays.fill(big, (byte) ' ');
        byte[] j = Volumes.json("chunked").getBytes(StandardCharsets.UTF_8);
        System.arraycopy(j, 0, big, 0, j.length);
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(base.resolve(RVS)).header("Authorization", OK).header("Content-Type", JSONT)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"reason\":\"RequestEntityTooLarge\"") && r.body().contains("limit is 1048576"), r.body());
        assertEquals(before, ApiTestResource.swarm.configs());
    }

    @TestFactory
    Stream<DynamicTest> hostileCallsAreRefusedPreciselyAndChangeNothing() {
        List<Row> rows = rows();
        assertTrue(rows.size() >= 30, "the table has " + rows.size() + " rows");
        return rows.stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            TreeSet<String> before = ApiTestResource.swarm.configs();
            RequestSpecification req = given();
            if (row.auth() != null) {
                req.header("Authorization", row.auth());
            }
            if (row.contentType() != null) {
                req.contentType(row.contentType());
            }
            if (row.body() != null) {
                req.body(row.body().get());
            }
            Response resp = req.request(row.method(), row.path());
            String body = resp.asString();
            assertEquals(row.code(), resp.statusCode(), row.name() + ": " + body);
            assertEquals("Status", resp.path("kind"), body);
            assertEquals("Failure", resp.path("status"), body);
            assertEquals(row.reason(), resp.path("reason"), body);
            assertEquals(Integer.valueOf(row.code()), resp.path("code"), body);
            String message = resp.path("message");
            for (String f : row.fragments()) {
                assertTrue(message.contains(f) || body.contains(f), "\"" + f + "\" missing from " + body);
            }
            if (row.code() == 422) {
                List<Map<String, Object>> causes = resp.path("details.causes");
                assertTrue(causes != null && !causes.isEmpty(), "422 names its fields in details.causes: " + body);
            }
            assertEquals(before, ApiTestResource.swarm.configs(), "the swarm's configs changed after: " + row.name());
        }));
    }
}
