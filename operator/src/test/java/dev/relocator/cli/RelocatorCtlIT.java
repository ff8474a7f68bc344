package dev.relocator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relocator.api.ApiTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** relocatorctl against the running API on the real swarm: outputs and exit codes. */
@QuarkusTest
@QuarkusTestResource(value = ApiTestResource.class, restrictToAnnotatedClass = true)
class RelocatorCtlIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI server;

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    Run ctl(boolean token, String... args) throws IOException {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--server");
        all.add(server.toString());
        if (token) {
            Path t = dir.resolve("token");
            Files.writeString(t, ApiTestResource.TOKEN + "\n");
            all.add("--token-file");
            all.add(t.toString());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = RelocatorCtl.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    Path file(String name, String yaml) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    static String volume(String name, String target) {
        return """
                apiVersion: relocator.dev/v1alpha1
                kind: RelocatableVolume
                metadata: {name: %s}
                spec:
                  service: shop_db
                  volume: {name: %s-data, driver: local, options: {type: nfs, o: "addr=nas,rw", device: ":/pg"}}
                  target: %s
                """.formatted(name, name, target);
    }

    @Test
    void applyGetDescribeDeleteWithExitCodes() throws Exception {
        Path f = file("v.yaml", volume("ctl1", "/data"));
        Run created = ctl(true, "apply", "-f", f.toString());
        assertEquals(0, created.code(), created.err());
        assertEquals("relocatablevolume.relocator.dev/ctl1 created\n", created.out());
        Run again = ctl(true, "apply", "-f", f.toString());
        assertEquals("relocatablevolume.relocator.dev/ctl1 unchanged\n", again.out(), again.err());
        Run changed = ctl(true, "apply", "-f", file("v2.yaml", volume("ctl1", "/srv")).toString());
        assertEquals("relocatablevolume.relocator.dev/ctl1 configured\n", changed.out(), changed.err());

        Run table = ctl(false, "get");
        assertEquals(0, table.code());
        assertTrue(table.out().startsWith("NAME"), table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("ctl1 ") && l.contains("shop_db") && l.contains("2/-")), table.out());
        JsonNode json = JSON.readTree(ctl(false, "get", "ctl1", "-o", "json").out());
        assertEquals("/srv", json.path("spec").path("target").asText());
        assertEquals(2, json.path("metadata").path("generation").asInt());
        Run yaml = ctl(false, "get", "ctl1", "-o", "yaml");
        assertTrue(yaml.out().contains("kind: RelocatableVolume") && yaml.out().contains("target: /srv"), yaml.out());

        // what get -o yaml printed applies again unchanged (server fields and status are dropped)
        Run roundTrip = ctl(true, "apply", "-f", file("rt.yaml", yaml.out()).toString());
        assertEquals("relocatablevolume.relocator.dev/ctl1 unchanged\n", roundTrip.out(), roundTrip.err());

        Run describe = ctl(false, "describe", "ctl1");
        assertEquals(0, describe.code(), describe.err());
        assertTrue(describe.out().contains("Conditions:") && describe.out().contains("Events:") && describe.out().contains("SpecChanged"),
                describe.out());

        Run missing = ctl(false, "get", "nope");
        assertEquals(ExitCode.NOT_FOUND, missing.code());
        assertTrue(missing.err().contains("Error from server (NotFound)"), missing.err());

        Run stale = ctl(true, "delete", "ctl1", "--resource-version", "1");
        assertEquals(ExitCode.CONFLICT, stale.code(), stale.err());
        Run noToken = ctl(false, "delete", "ctl1");
        assertEquals(ExitCode.UNAUTHORIZED, noToken.code());
        assertTrue(noToken.err().contains("--token-file"), noToken.err());
        Run badNode = ctl(true, "relocate", "ctl1", "--to", "no-such-node");
        assertEquals(ExitCode.INVALID, badNode.code());
        assertTrue(badNode.err().contains("not in this swarm"), badNode.err());
        Run badDrain = ctl(true, "drain", "no-such-node");
        assertEquals(ExitCode.NOT_FOUND, badDrain.code());

        Run deleted = ctl(true, "delete", "ctl1");
        assertEquals(0, deleted.code(), deleted.err());
        assertEquals("relocatablevolume.relocator.dev/ctl1 deleted\n", deleted.out());
        assertEquals(ExitCode.NOT_FOUND, ctl(true, "delete", "ctl1").code());
    }

    @Test
    void anInvalidFileChangesNothing() throws Exception {
        java.util.TreeSet<String> before = ApiTestResource.swarmConfigs();
        String two = volume("okay", "/data") + "---\n" + volume("broken", "relative/path");
        Run r = ctl(true, "apply", "-f", file("two.yaml", two).toString());
        assertEquals(ExitCode.INVALID, r.code());
        assertTrue(r.err().contains("RelocatableVolume \"broken\": spec.target"), r.err());
        assertEquals(before, ApiTestResource.swarmConfigs(), "nothing was sent");
        assertEquals(ExitCode.NOT_FOUND, ctl(false, "get", "okay").code());
    }

    @Test
    void watchFollowsTheStream() throws Exception {
        CompletableFuture<Run> watch = CompletableFuture.supplyAsync(() -> {
            try {
                return ctl(false, "watch", "-o", "json", "--count", "2", "--resource-version", currentRv());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(0, ctl(true, "apply", "-f", file("w.yaml", volume("ctlw", "/data")).toString()).code());
        assertEquals(0, ctl(true, "delete", "ctlw").code());
        Run r = watch.get(30, TimeUnit.SECONDS);
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        assertEquals("ADDED", JSON.readTree(lines.get(0)).path("type").asText(), r.out());
        assertEquals("DELETED", JSON.readTree(lines.get(1)).path("type").asText(), r.out());
    }

    String currentRv() throws IOException {
        return JSON.readTree(ctl(false, "get", "-o", "json").out()).path("metadata").path("resourceVersion").asText();
    }
}
