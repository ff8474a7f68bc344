package dev.relocator.app.fence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.relocator.core.model.NodeInfo;
import dev.relocator.core.ports.ExternalFence.State;
import dev.relocator.crd.model.RelocatorConfig.FenceHook;
import dev.relocator.crd.model.Spec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real processes (shell scripts in a temp dir) and a real HTTP server on loopback; nothing mocked. */
class FenceHooksTest {

    private static final NodeInfo W1 = new NodeInfo("id-w1", "w1", false, NodeInfo.Availability.ACTIVE, NodeInfo.SwarmState.DOWN,
            Map.of("zone", "a", "power", "ipmi"), false);
    private static final NodeInfo W2 = new NodeInfo("id-w2", "w2", false, NodeInfo.Availability.ACTIVE, NodeInfo.SwarmState.READY,
            Map.of("zone", "b"), false);

    @TempDir
    Path dir;
    private SimpleMeterRegistry registry;
    private FenceHooks hooks;
    private HttpServer server;

    @BeforeEach
    void setUp() {
        registry = new SimpleMeterRegistry();
        hooks = new FenceHooks(2, Optional.empty(), Clock.systemUTC(), registry);
        hooks.nodes(List.of(W1, W2));
    }

    @AfterEach
    void tearDown() {
        hooks.close();
        if (server != null) {
            server.stop(0);
        }
    }

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private static Spec.Fencing command(Path script, int timeoutSeconds) {
        return new Spec.Fencing(4, 1, Spec.External.COMMAND, List.of(script.toString(), "--off"), null, timeoutSeconds);
    }

    private static Spec.Fencing webhook(String url, int timeoutSeconds) {
        return new Spec.Fencing(4, 1, Spec.External.WEBHOOK, List.of(), url, timeoutSeconds);
    }

    private double count(String name, String outcome) {
        return registry.find(name).counters().stream()
                .filter(c -> outcome == null || outcome.equals(c.getId().getTag("outcome")))
                .mapToDouble(c -> c.count()).sum();
    }

    @Test
    void aCommandThatExitsZeroConfirmsWithArgvNodeAndEnvironment() throws Exception {
        Path out = dir.resolve("seen");
        Path s = script("ok.sh", "echo \"$@|$RELOCATOR_NODE_ID|$RELOCATOR_NODE_HOSTNAME|$RELOCATOR_VOLUME\" > " + out + "; echo powered off");
        hooks.volumes(Map.of("pg", command(s, 10)));
        assertEquals(State.IDLE, hooks.state("id-w1", "pg"));
        hooks.request("id-w1", "pg");
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.state("id-w1", "pg") == State.CONFIRMED);
        assertEquals("--off w1|id-w1|w1|pg", Files.readString(out).strip(), "argv (no shell) + hostname, and the environment");
        assertEquals(1.0, count("relocator.fence.hook.requests", null));
        assertEquals(1.0, count("relocator.fence.hook.confirmed", "confirmed"));
        assertEquals(1L, registry.find("relocator.fence.hook.duration").tag("outcome", "confirmed").timer().count());
        assertTrue(hooks.confirmed("id-w1", "pg"));
    }

    @Test
    void aRequestIsIdempotentWhileAskedAndAfterConfirmation() throws Exception {
        Path runs = dir.resolve("runs");
        Path gate = dir.resolve("gate");
        Path s = script("slow.sh", "echo x >> " + runs + "; while [ ! -f " + gate + " ]; do sleep 0.05; done");
        hooks.volumes(Map.of("pg", command(s, 20)));
        hooks.request("id-w1", "pg");
        hooks.request("id-w1", "pg");
        assertEquals(State.REQUESTED, hooks.state("id-w1", "pg"));
        Files.writeString(gate, "go");
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.state("id-w1", "pg") == State.CONFIRMED);
        hooks.request("id-w1", "pg");
        assertEquals(State.CONFIRMED, hooks.state("id-w1", "pg"));
        assertEquals(1, Files.readAllLines(runs).size(), "the hook ran once");
    }

    @Test
    void aNonZeroExitFailsAndALaterRequestTriesAgain() throws Exception {
        Path flag = dir.resolve("succeed");
        Path s = script("flaky.sh", "echo 'ipmi: no route' >&2; [ -f " + flag + " ]");
        hooks.volumes(Map.of("pg", command(s, 10)));
        hooks.request("id-w1", "pg");
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.state("id-w1", "pg") == State.FAILED);
        assertEquals(1.0, count("relocator.fence.hook.failed", "exit"));
        Files.writeString(flag, "");
        hooks.request("id-w1", "pg");
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.state("id-w1", "pg") == State.CONFIRMED);
    }

    @Test
    void aHangingCommandTimesOutAndItsWholeProcessTreeIsKilled() throws Exception {
        Path pids = dir.resolve("pids");
        // a child that ignores nothing and would outlive its parent if only the parent were killed
        Path s = script("hang.sh", "sleep 300 & echo $! > " + pids + "; echo $$ >> " + pids + "; wait");
        hooks.volumes(Map.of("pg", command(s, 1)));
        hooks.request("id-w1", "pg");
        await().atMost(Duration.ofSeconds(15)).until(() -> hooks.state("id-w1", "pg") == State.FAILED);
        assertEquals(1.0, count("relocator.fence.hook.failed", "timeout"));
        List<String> ids = Files.readAllLines(pids);
        assertEquals(2, ids.size(), "child and parent pids written: " + ids);
        for (String pid : ids) {
            await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(Long.parseLong(pid.strip())).map(h -> !h.isAlive()).orElse(true));
        }
    }

    @Test
    void aMissingProgramFailsWithoutThrowing() {
        hooks.volumes(Map.of("pg", new Spec.Fencing(4, 1, Spec.External.COMMAND, List.of(dir.resolve("nope").toString()), null, 5)));
        hooks.request("id-w1", "pg");
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.state("id-w1", "pg") == State.FAILED);
        assertEquals(1.0, count("relocator.fence.hook.failed", "error"));
    }

    @Test
    void resetForgetsTheOutcomeAndAHookStillRunningCannotBringItBack() throws Exception {
        Path gate = dir.resolve("gate");
        Path s = script("gated.sh", "while [ ! -f " + gate + " ]; do sleep 0.05; done");
        hooks.volumes(Map.of("pg", command(s, 20)));
        hooks.request("id-w1", "pg");
        assertEquals(State.REQUESTED, hooks.state("id-w1", "pg"));
        hooks.reset("id-w1");
        assertEquals(State.IDLE, hooks.state("id-w1", "pg"));
        Files.writeString(gate, "go");
        await().atMost(Duration.ofSeconds(10)).until(() -> count("relocator.fence.hook.confirmed", null) == 1.0);
        assertEquals(State.IDLE, hooks.state("id-w1", "pg"), "the node came back while the hook ran: its success is stale");
    }

    @Test
    void configHooksMatchNodeLabelsAndTheVolumesOwnHookComesFirst() throws Exception {
        Path cfgOut = dir.resolve("cfg");
        Path cfg = script("cfg.sh", "echo \"$RELOCATOR_NODE_HOSTNAME\" >> " + cfgOut);
        hooks.configHooks(List.of(
                new FenceHook("pdu", Map.of("zone", "b"), Spec.External.COMMAND, List.of(cfg.toString()), null, 5),
                new FenceHook("ipmi", Map.of("power", "ipmi"), Spec.External.COMMAND, List.of(cfg.toString()), null, 5)));
        assertEquals("ipmi", hooks.hookFor("id-w1", "other").orElseThrow().name());
        assertEquals("pdu", hooks.hookFor("id-w2", "other").orElseThrow().name());
        assertEquals(State.NOT_CONFIGURED, hooks.state("id-unknown", "other"));
        Path own = script("own.sh", "true");
        hooks.volumes(Map.of("pg", command(own, 5)));
        assertEquals("spec:pg", hooks.hookFor("id-w1", "pg").orElseThrow().name());
        hooks.request("id-w1", "other");
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.state("id-w1", "other") == State.CONFIRMED);
        assertEquals(List.of("w1"), Files.readAllLines(cfgOut));
        assertEquals(State.IDLE, hooks.state("id-w1", "pg"), "another hook: its own outcome");
        assertEquals(1.0, registry.find("relocator.fence.hook.requests").tag("hook", "ipmi").counter().count());
    }

    @Test
    void noHookMeansNotConfiguredAndARequestDoesNothing() {
        hooks.request("id-w2", "pg");
        assertEquals(State.NOT_CONFIGURED, hooks.state("id-w2", "pg"));
        assertEquals(0.0, count("relocator.fence.hook.requests", null));
    }

    // ---- webhooks ------------------------------------------------------------------------------

    private String serve(int status, CountDownLatch release, List<JsonNode> bodies, List<String> auth) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/fence", ex -> {
            bodies.add(new ObjectMapper().readTree(ex.getRequestBody().readAllBytes()));
            auth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            if (release != null) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] b = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/fence";
    }

    @Test
    void aWebhookAnswering200ConfirmsWithTheJsonBodyAndTheBearerToken() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "s3cret\n");
        hooks.close();
        hooks = new FenceHooks(2, Optional.of(token), Clock.systemUTC(), registry);
        hooks.nodes(List.of(W1, W2));
        List<JsonNode> bodies = new CopyOnWriteArrayList<>();
        List<String> auth = new CopyOnWriteArrayList<>();
        hooks.volumes(Map.of("pg", webhook(serve(200, null, bodies, auth), 5)));
        hooks.request("id-w1", "pg");
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.state("id-w1", "pg") == State.CONFIRMED);
        JsonNode b = bodies.get(0);
        assertEquals("id-w1", b.path("node").asText());
        assertEquals("w1", b.path("hostname").asText());
        assertEquals("pg", b.path("volume").asText());
        assertFalse(b.path("requestedAt").asText().isEmpty());
        assertEquals("Bearer s3cret", auth.get(0));
    }

    @Test
    void aWebhookAnswering500Fails() throws Exception {
        List<String> auth = new CopyOnWriteArrayList<>();
        hooks.volumes(Map.of("pg", webhook(serve(500, null, new CopyOnWriteArrayList<>(), auth), 5)));
        hooks.request("id-w1", "pg");
        await().atMost(Duration.ofSeconds(10)).until(() -> hooks.state("id-w1", "pg") == State.FAILED);
        assertEquals(1.0, count("relocator.fence.hook.failed", "status"));
        assertEquals("null", auth.get(0), "no token file configured: no Authorization header");
    }

    @Test
    void aHangingWebhookTimesOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try {
            hooks.volumes(Map.of("pg", webhook(serve(200, release, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>()), 1)));
            hooks.request("id-w1", "pg");
            await().atMost(Duration.ofSeconds(10)).until(() -> hooks.state("id-w1", "pg") == State.FAILED);
            assertEquals(1.0, count("relocator.fence.hook.failed", "timeout"));
        } finally {
            release.countDown();
        }
    }

    @Test
    void requestsBeyondTheBoundedQueueStayUnaskedAndAreRetriedLater() throws Exception {
        Path gate = dir.resolve("gate");
        Path s = script("gated.sh", "while [ ! -f " + gate + " ]; do sleep 0.05; done");
        AtomicInteger nodes = new AtomicInteger();
        hooks.configHooks(List.of(new FenceHook("all", Map.of(), Spec.External.COMMAND, List.of(s.toString()), null, 30)));
        List<NodeInfo> many = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(new NodeInfo("n" + i, "h" + i, false, NodeInfo.Availability.ACTIVE, NodeInfo.SwarmState.DOWN, Map.of(), false));
        }
        hooks.nodes(many);
        many.forEach(n -> {
            hooks.request(n.id(), "v");
            if (hooks.state(n.id(), "v") == State.REQUESTED) {
                nodes.incrementAndGet();
            }
        });
        assertEquals(2 + 32, nodes.get(), "2 running + 32 queued; the rest were not taken");
        assertEquals(State.IDLE, hooks.state("n39", "v"));
        Files.writeString(gate, "go");
        await().atMost(Duration.ofSeconds(30)).until(() -> hooks.state("n0", "v") == State.CONFIRMED);
        hooks.request("n39", "v");
        await().atMost(Duration.ofSeconds(30)).until(() -> hooks.state("n39", "v") == State.CONFIRMED);
    }
}
