package dev.relocator.chaos.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.chaos.checker.CheckResult;
import dev.relocator.chaos.checker.Verdict;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import dev.relocator.chaos.history.WriteRecord;
import dev.relocator.chaos.lab.LabNode;
import dev.relocator.chaos.lab.SwarmLab;
import dev.relocator.chaos.nemesis.PartitionScope;
import dev.relocator.chaos.operator.FenceWebhook;
import dev.relocator.chaos.operator.LabApi;
import dev.relocator.chaos.operator.OperatorStack;
import dev.relocator.chaos.operator.PhaseFeed;
import dev.relocator.chaos.report.ChaosReport;
import dev.relocator.chaos.report.ScenarioOutcome;
import dev.relocator.chaos.runner.ChaosProfile;
import dev.relocator.chaos.runner.ScenarioRun;
import dev.relocator.chaos.workload.VolumeKind;
import dev.relocator.chaos.workload.WriterWorkload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Day-2 operations through the operator's REST API in the lab (issue 8), with the operator deployed as
 * the stack and every volume a stored RelocatableVolume created through {@code POST
 * /apis/relocator.dev/v1alpha1/relocatablevolumes} on the manager's port 9494:
 * <ul>
 *   <li>planned relocation ({@code POST .../relocate}) and node drain ({@code POST /nodes/{node}/drain})
 *       of a node running two writers: kill-before-start (S1/D1 by the checker, the agent's confirmation
 *       as the fencing evidence), and each workload's downtime as the product reports it (status
 *       {@code lastRelocation.downtimeSeconds}, the Attached event's {@code downtimeMillis}) against the
 *       gap the writer history shows; a refused move (unknown node: 422 up front; a node outside the
 *       placement: {@code TargetUnavailable}) moves nothing;</li>
 *   <li>pause ({@code spec.paused}) and cluster maintenance ({@code RelocatorConfig.spec.maintenance}):
 *       the writers' node crashes, nothing moves while held and the hold is visible in status and on
 *       Kafka; ending maintenance moves the one volume, resuming the other moves it too;</li>
 *   <li>the fence hook, a webhook served by this JVM that kills the node container: a partition of the
 *       writer's node relocates on the hook's confirmation without the lease wait, a failing hook falls
 *       back to the lease, compared with no hook at all; 0 double writers on every path.</li>
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DayTwoApiIT {

    private static final Duration WRITE_INTERVAL = Duration.ofMillis(200);
    private static final Duration RELOCATION_BOUND = Duration.ofSeconds(60);
    private static final Duration STATUS_BOUND = Duration.ofSeconds(30);
    /**
     * How far the writers' gap may exceed the product's downtime: the product's clock stops when the
     * task runs on the new node; the writer's first append follows (wrapper start, one write interval).
     */
    private static final double GAP_SLACK_SECONDS = 3.0;
    private static final String FIGURES = "ops-api-figures.txt";
    /** How long after the crash the held volumes are watched before the hold ends. */
    private static final Duration HOLD = Duration.ofSeconds(15);

    private static SwarmLab lab;
    private static OperatorStack stack;
    private static PhaseFeed feed;
    private static LabApi api;
    private static FenceWebhook webhook;
    private static String image;
    private static Map<String, String> nodeNames;
    private static final Map<String, ScenarioRun> live = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws IOException {
        lab = SwarmLab.start(SwarmLab.Spec.defaults());
        Path override = LabApi.writePublishOverride(Files.createTempDirectory("relocator-api-override"));
        stack = OperatorStack.deploy(lab, List.of(override));
        feed = new PhaseFeed(stack.broker().bootstrapServers(), "relocator.events");
        api = LabApi.onManager(lab);
        webhook = new FenceWebhook(lab);
        image = lab.images().workloadImage();
        nodeNames = stack.nodeNames();
        feed.onPhase(p -> {
            ScenarioRun run = live.get(p.volume());
            if (run != null) {
                run.history().append(new Op(p.receivedMillis(), "operator", Op.INFO, "phase",
                        Map.of("phase", p.phase() + " e" + p.epoch(), "node", host(p.node()))));
            }
        });
        System.out.println("[ops-api] lab " + lab.timings() + "; operator stack healthy " + stack.deployMillis() + " ms");
    }

    @AfterAll
    static void stop() {
        if (webhook != null) {
            webhook.close();
        }
        if (feed != null) {
            feed.close();
        }
        if (stack != null) {
            System.out.println("[ops-api] manager's operator log (tail):\n" + managerLog(200));
            stack.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    /**
     * A test that failed half-way must not hold the next one: its workloads are stopped and their
     * resources deleted (healing what their nemesis broke), maintenance is off and no cluster-wide
     * hook is left. A passing test has left nothing, so this changes nothing then.
     */
    @AfterEach
    void releaseWhatAFailedTestHeld() {
        for (ScenarioRun run : List.copyOf(live.values())) {
            String vol = run.workload().volumeName();
            System.out.println("[ops-api] left by a failed test, stopping: " + vol);
            live.remove(vol);
            try {
                run.finish();
            } catch (RuntimeException e) {
                System.out.println("[ops-api] stopping " + vol + " after a failure: " + e);
            }
            System.out.println("[ops-api] delete " + vol + " after a failure: HTTP " + api.delete(LabApi.VOLUMES + "/" + vol).code());
        }
        LabApi.Answer cfg = api.get(LabApi.CONFIGS + "/default");
        if (cfg.code() == 200) {
            ObjectNode spec = LabApi.object();
            spec.putObject("maintenance").put("enabled", false);
            spec.putArray("fenceHooks");
            config(spec);
        }
        awaitHealthy();
    }

    // ------------------------------------------------------------------------------------ planned moves

    @Test
    @Order(1)
    void plannedRelocationAndDrainThroughTheApiKillBeforeStartWithTheirDowntimeReported() {
        ScenarioOutcome out = ScenarioOutcome.of("[ops-api]", "ops-api-relocate-drain", "planned-move", true,
                "relocate and drain through the REST API: 0 double writers, 0 lost acknowledged writes, agent-confirmed fencing,"
                        + " the reported downtime covers the writers' gap; a refused move moves nothing").figuresIn(FIGURES);
        ScenarioRun a = newRun("dt-a", fencingNone());
        ScenarioRun b = newRun("dt-b", fencingNone());
        String va = a.workload().volumeName();
        String vb = b.workload().volumeName();
        String manager = lab.managers().get(0).name();

        // refused up front: a node that does not exist is answered 422 and nothing is recorded
        LabApi.Answer unknown = api.post(LabApi.VOLUMES + "/" + va + "/relocate", body("to", "no-such-node"));
        assertEquals(422, unknown.code(), "unknown node: " + unknown.body());
        assertTrue(unknown.body().toString().contains("not in this swarm"), unknown.body().toString());
        assertFalse(api.get(LabApi.VOLUMES + "/" + va).body().path("metadata").path("annotations").has("relocator.dev/relocate-to"),
                "a refused request records nothing");

        // refused by the controller: the manager is ready and active (the API takes it) but outside spec.placement
        long e0 = api.status(va).path("epoch").asLong();
        String n0 = api.status(va).path("node").asText();
        long asked = System.currentTimeMillis();
        api.post(LabApi.VOLUMES + "/" + va + "/relocate", body("to", manager)).orThrow(202, "relocate " + va + " to " + manager);
        Awaitility.await(va + " TargetUnavailable").atMost(STATUS_BOUND).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> LabApi.condition(api.status(va), "Degraded").map(c -> c.path("reason").asText()).orElse("")
                        .equals("TargetUnavailable"));
        Awaitility.await("TargetUnavailable on Kafka").atMost(STATUS_BOUND).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> feed.events("dev.relocator.error", va).stream().anyMatch(e -> e.phase().equals("TargetUnavailable")));
        JsonNode refused = api.status(va);
        String refusal = LabApi.condition(refused, "Degraded").orElseThrow().path("message").asText();
        System.out.println("[ops-api] refused move: " + refusal);
        assertEquals(e0, refused.path("epoch").asLong(), "a refused move keeps the epoch");
        assertEquals(n0, refused.path("node").asText(), "a refused move keeps the node");
        assertEquals(1, a.workload().writers().size(), "a refused move starts no writer");
        assertTrue(feed.phases(va).stream().noneMatch(p -> p.receivedMillis() >= asked && p.phase().equals("Fencing")),
                "a refused move never fences the writer: " + feed.phases(va));
        // withdrawn the way docs/api.md says, so it is not carried out later
        ObjectNode withdraw = LabApi.object();
        withdraw.putObject("metadata").putObject("annotations").putNull("relocator.dev/relocate-to").putNull("relocator.dev/relocate-requested-at");
        api.mergePatch(LabApi.VOLUMES + "/" + va, withdraw).orThrow(200, "withdraw the refused move");
        Awaitility.await(va + " no longer degraded").atMost(STATUS_BOUND).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> LabApi.condition(api.status(va), "Degraded").map(c -> c.path("status").asText()).orElse("").equals("False"));

        // planned relocation of a to the other worker
        String from = a.workload().writingNode().orElseThrow();
        String to = otherWorker(from);
        List<String> figures = new ArrayList<>();
        figures.add(move(a, "relocate", from, to, () -> api.post(LabApi.VOLUMES + "/" + va + "/relocate", body("to", to))
                .orThrow(202, "relocate " + va)));
        // both writers on one node for the drain: b follows a if the first placement put it elsewhere
        String bFrom = b.workload().writingNode().orElseThrow();
        if (!bFrom.equals(to)) {
            figures.add(move(b, "relocate", bFrom, to, () -> api.post(LabApi.VOLUMES + "/" + vb + "/relocate", body("to", to))
                    .orThrow(202, "relocate " + vb)));
        }
        assertEquals(to, a.workload().writingNode().orElseThrow());
        assertEquals(to, b.workload().writingNode().orElseThrow());

        // drain of the node running both writers: one request, both move
        String rest = otherWorker(to);
        long drainAt = System.currentTimeMillis();
        for (ScenarioRun r : List.of(a, b)) {
            mark(r, "api-drain", to, true);
        }
        LabApi.Answer drained = api.post("/apis/relocator.dev/v1alpha1/nodes/" + to + "/drain", LabApi.object()).orThrow(202, "drain " + to);
        assertTrue(drained.body().path("message").asText().contains("2 relocatable volume(s)"), "the drain asked both volumes: " + drained.body());
        for (ScenarioRun r : List.of(a, b)) {
            figures.add(awaitMoved(r, "drain", to, rest, drainAt));
        }
        for (ScenarioRun r : List.of(a, b)) {
            Awaitility.await(r.workload().volumeName() + " drain request removed once done").atMost(STATUS_BOUND)
                    .pollInterval(Duration.ofMillis(500)).until(() -> !api.get(LabApi.VOLUMES + "/" + r.workload().volumeName())
                            .body().path("metadata").path("annotations").has("relocator.dev/drain-from"));
        }
        ScenarioRun.let(Duration.ofSeconds(2));
        figures.forEach(out::note);
        for (ScenarioRun r : List.of(a, b)) {
            CheckResult c = out.add(finish(r));
            assertEquals(0, c.doubleWriterViolations(), c.summary());
            assertEquals(0, c.lostWrites(), c.summary());
            assertEquals(Verdict.VALID, c.s1().verdict(), c.summary());
            assertEquals(Verdict.VALID, c.d1().verdict(), c.summary());
        }
        out.report(true);
    }

    /**
     * Runs one planned move, then checks what the product reports about it against the writer history.
     * Returns the figures line.
     */
    private static String move(ScenarioRun run, String kind, String from, String to, Runnable request) {
        long at = System.currentTimeMillis();
        mark(run, "api-" + kind, from, true);
        request.run();
        return awaitMoved(run, kind, from, to, at);
    }

    private static String awaitMoved(ScenarioRun run, String kind, String from, String to, long requestedAt) {
        String vol = run.workload().volumeName();
        Awaitility.await(vol + " writing on " + to).atMost(RELOCATION_BOUND).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> run.workload().writingNode().filter(to::equals).isPresent());
        long newWriterAt = System.currentTimeMillis();
        String toId = nodeId(to);
        Awaitility.await(vol + " lastRelocation to " + to + " in its status").atMost(STATUS_BOUND).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> {
                    JsonNode s = api.status(vol);
                    return s.path("phase").asText().equals("Attached") && s.path("lastRelocation").path("to").asText().equals(toId)
                            && s.path("lastRelocation").has("downtimeSeconds")
                            && java.time.Instant.parse(s.path("lastRelocation").path("finished").asText()).toEpochMilli() >= requestedAt - 1000;
                });
        JsonNode status = api.status(vol);
        double statusDowntime = status.path("lastRelocation").path("downtimeSeconds").asDouble();
        Awaitility.await(vol + " Attached with downtimeMillis on Kafka").atMost(STATUS_BOUND).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> attachedEvent(vol, requestedAt).isPresent());
        PhaseFeed.Event attached = attachedEvent(vol, requestedAt).orElseThrow();
        double kafkaDowntime = attached.details().path("downtimeMillis").asLong() / 1000.0;
        String evidence = feed.events("dev.relocator.volume.phase.changed", vol).stream()
                .filter(e -> e.receivedMillis() >= requestedAt && e.phase().equals("Detaching")).map(e -> e.details().path("evidence").asText())
                .findFirst().orElse("?");
        // the gap as the writers show it: last record on the old node -> first record elsewhere after it
        List<WriteRecord> rs = run.workload().currentRecords();
        long last = rs.stream().filter(r -> r.node().equals(from)).mapToLong(WriteRecord::time).max().orElseThrow();
        long first = rs.stream().filter(r -> !r.node().equals(from) && r.time() > last).mapToLong(WriteRecord::time).min().orElseThrow();
        double gap = (first - last) / 1000.0;
        String line = String.format("%s %s %s -> %s: request -> new writer %.1f s; downtime reported: status %.2f s, Kafka Attached %.2f s"
                        + " (trigger %s, fencing evidence %s); writers' gap (last record on %s -> first on %s) %.2f s", kind, vol, from, to,
                (newWriterAt - requestedAt) / 1000.0, statusDowntime, kafkaDowntime, attached.details().path("trigger").asText(), evidence,
                from, to, gap);
        System.out.println("[ops-api] " + line);
        assertEquals("AGENT_CONFIRMED", evidence, "a planned move fences on the live agent's confirmation: " + line);
        assertTrue(Math.abs(statusDowntime - kafkaDowntime) < 0.01, "status and Kafka report the same downtime: " + line);
        assertTrue(statusDowntime > 0, "a move has a downtime: " + line);
        assertTrue(gap <= statusDowntime + GAP_SLACK_SECONDS, "the reported downtime covers the writers' gap: " + line);
        return line;
    }

    private static Optional<PhaseFeed.Event> attachedEvent(String vol, long since) {
        return feed.events("dev.relocator.volume.phase.changed", vol).stream()
                .filter(e -> e.receivedMillis() >= since && e.phase().equals("Attached") && e.details().has("downtimeMillis"))
                .reduce((x, y) -> y);
    }

    // ------------------------------------------------------------------------------------ pause, maintenance

    @Test
    @Order(2)
    void pausedAndMaintenanceHeldVolumesStayThroughANodeCrashAndMoveOnResume() {
        ScenarioOutcome out = ScenarioOutcome.of("[ops-api]", "ops-api-pause-maintenance", "crash", true,
                "while spec.paused / maintenance hold them nothing moves after the crash (hold visible in status and on Kafka);"
                        + " ending maintenance moves that volume only, resuming moves the paused one; 0 double writers").figuresIn(FIGURES);
        ScenarioRun p = newRun("dt-p", fencingNone());
        ScenarioRun m = newRun("dt-m", fencingNone());
        String vp = p.workload().volumeName();
        String vm = m.workload().volumeName();
        String n = p.workload().writingNode().orElseThrow();
        String mFrom = m.workload().writingNode().orElseThrow();
        if (!mFrom.equals(n)) {
            move(m, "relocate", mFrom, n, () -> api.post(LabApi.VOLUMES + "/" + vm + "/relocate", body("to", n)).orThrow(202, "relocate " + vm));
        }
        // pause the one through its spec, hold the other by cluster maintenance
        ObjectNode pause = LabApi.object();
        pause.putObject("spec").put("paused", true);
        api.mergePatch(LabApi.VOLUMES + "/" + vp, pause).orThrow(200, "pause " + vp);
        Awaitility.await(vp + " Relocating reason Paused").atMost(STATUS_BOUND).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> LabApi.condition(api.status(vp), "Relocating").map(c -> c.path("reason").asText()).orElse("").equals("Paused"));
        maintenance(true);
        Awaitility.await("maintenance on, on Kafka, and " + vm + " held by it").atMost(STATUS_BOUND).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> feed.events().stream().anyMatch(e -> e.type().equals("dev.relocator.controller.maintenance.changed")
                        && e.phase().equals("On")) && LabApi.hasReason(api.status(vm), "MaintenanceMode"));
        assertTrue(feed.events("dev.relocator.error", vp).stream().anyMatch(e -> e.phase().equals("Paused")),
                "the hold of " + vp + " is on Kafka: " + feed.events("dev.relocator.error", vp));
        assertTrue(feed.events("dev.relocator.error", vm).stream().anyMatch(e -> e.phase().equals("MaintenanceMode")),
                "the hold of " + vm + " is on Kafka: " + feed.events("dev.relocator.error", vm));
        long ep = api.status(vp).path("epoch").asLong();
        long em = api.status(vm).path("epoch").asLong();
        // m may have been moved onto n above: one writer per placement so far, and none may be added while held
        Map<ScenarioRun, Integer> writersBefore = Map.of(p, p.workload().writers().size(), m, m.workload().writers().size());

        mark(m, "crash", n, true);
        long crashAt = System.currentTimeMillis();
        p.nemesis().crash(n, true);
        // the controller sees the loss and holds it: maintenance's status names what is held
        Awaitility.await(vm + " holds the loss of " + n).atMost(RELOCATION_BOUND).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> heldMessage(api.status(vm)).isPresent());
        long heldSeenAt = System.currentTimeMillis();
        String heldMessage = heldMessage(api.status(vm)).orElseThrow();
        Awaitility.await(vp + " holds the loss of " + n).atMost(STATUS_BOUND).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> heldMessage(api.status(vp)).isPresent());
        JsonNode ps = api.status(vp);
        System.out.println("[ops-api] held after the crash: " + vm + ": " + heldMessage + "; " + vp + ": " + heldMessage(ps).orElseThrow());
        // longer than the relocation takes unheld (about 6-8 s after a crash here): nothing may move meanwhile
        ScenarioRun.let(Duration.ofMillis(Math.max(0, crashAt + HOLD.toMillis() - System.currentTimeMillis())));
        for (ScenarioRun r : List.of(p, m)) {
            assertEquals(writersBefore.get(r), r.workload().writers().size(), "nothing moved while held: " + r.workload().volumeName()
                    + " (writers " + r.workload().writers() + ")");
        }
        assertEquals(ep, ps.path("epoch").asLong(), vp + " keeps its epoch while paused");
        assertEquals("Attached", ps.path("phase").asText(), vp + " stays Attached while paused");
        assertEquals("Paused", LabApi.condition(ps, "Relocating").orElseThrow().path("reason").asText());
        assertEquals(em, api.status(vm).path("epoch").asLong(), vm + " keeps its epoch under maintenance");

        // maintenance ends: only that volume moves
        long endAt = System.currentTimeMillis();
        maintenance(false);
        String rest = otherWorker(n);
        Awaitility.await(vm + " relocated after maintenance ended").atMost(RELOCATION_BOUND).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> m.workload().writingNode().filter(rest::equals).isPresent());
        long mMovedAt = System.currentTimeMillis();
        Awaitility.await("Resumed event of " + vm).atMost(STATUS_BOUND).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> !feed.events("dev.relocator.volume.resumed", vm).isEmpty());
        assertEquals(writersBefore.get(p), p.workload().writers().size(), vp + " is still paused: nothing moves");
        assertEquals("Paused", LabApi.condition(api.status(vp), "Relocating").orElseThrow().path("reason").asText());

        // resume: the paused volume moves
        long resumeAt = System.currentTimeMillis();
        ObjectNode resume = LabApi.object();
        resume.putObject("spec").put("paused", false);
        api.mergePatch(LabApi.VOLUMES + "/" + vp, resume).orThrow(200, "resume " + vp);
        Awaitility.await(vp + " relocated after resume").atMost(RELOCATION_BOUND).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> p.workload().writingNode().filter(rest::equals).isPresent());
        long pMovedAt = System.currentTimeMillis();
        Awaitility.await("Resumed event of " + vp).atMost(STATUS_BOUND).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> !feed.events("dev.relocator.volume.resumed", vp).isEmpty());
        String figures = String.format("crash of %s -> hold visible in %s's status %.1f s; no move while held (%.1f s after the crash);"
                        + " maintenance off -> %s writing on %s %.1f s; resume -> %s writing on %s %.1f s", n, vm, (heldSeenAt - crashAt) / 1000.0,
                (endAt - crashAt) / 1000.0, vm, rest, (mMovedAt - endAt) / 1000.0, vp, rest, (pMovedAt - resumeAt) / 1000.0);
        out.note(figures);
        ScenarioRun.let(Duration.ofSeconds(2));
        // m first: p's nemesis holds the crash and restarts the node
        Map<ScenarioRun, Integer> moves = Map.of(m, mFrom.equals(n) ? 1 : 2, p, 1);
        for (ScenarioRun r : List.of(m, p)) {
            RunData d = finish(r);
            CheckResult c = out.add(d);
            assertEquals(0, c.doubleWriterViolations(), c.summary());
            assertEquals(Verdict.VALID, c.s1().verdict(), c.summary());
            assertEquals(Verdict.VALID, c.d1().verdict(), c.summary());
            assertEquals(moves.get(r) + 1, d.volume().orElseThrow().stream().map(WriteRecord::writer).distinct().count(),
                    "writers in sequence, one per move, no restart loop: " + r.workload().volumeName() + ": " + c.summary());
        }
        awaitHealthy();
        out.report(true);
    }

    /** The condition message that names what a hold keeps from happening ("...; held: <trigger> of node N"). */
    private static Optional<String> heldMessage(JsonNode status) {
        for (JsonNode c : status.path("conditions")) {
            if (c.path("message").asText().contains("held:")) {
                return Optional.of(c.path("reason").asText() + ": " + c.path("message").asText());
            }
        }
        return Optional.empty();
    }

    private static void maintenance(boolean enabled) {
        ObjectNode spec = LabApi.object();
        ObjectNode mt = spec.putObject("maintenance").put("enabled", enabled);
        if (enabled) {
            mt.put("reason", "lab day-2 test");
        }
        config(spec);
    }

    /** Merge-patches the RelocatorConfig {@code default} (created if missing) with this spec. */
    private static void config(ObjectNode spec) {
        LabApi.Answer got = api.get(LabApi.CONFIGS + "/default");
        if (got.code() == 404) {
            ObjectNode cfg = LabApi.object();
            cfg.put("apiVersion", "relocator.dev/v1alpha1").put("kind", "RelocatorConfig").putObject("metadata").put("name", "default");
            cfg.set("spec", spec);
            api.post(LabApi.CONFIGS, cfg).orThrow(201, "create RelocatorConfig " + spec);
        } else {
            ObjectNode patch = LabApi.object();
            patch.set("spec", spec);
            api.mergePatch(LabApi.CONFIGS + "/default", patch).orThrow(200, "RelocatorConfig " + spec);
        }
    }

    // ------------------------------------------------------------------------------------ fence hook

    private enum FencePath {
        HOOK_CONFIRMS("hook confirms (volume's own, strict)", "fc"), HOOK_FAILS("hook fails -> lease (RelocatorConfig hook)", "ff"),
        NO_HOOK("no hook (lease)", "fl");

        final String label;
        final String code;

        FencePath(String label, String code) {
            this.label = label;
            this.code = code;
        }
    }

    @Test
    @Order(3)
    void aConfirmingFenceHookRelocatesWithoutTheLeaseWaitAndAFailingOneFallsBackToTheLease() {
        ScenarioOutcome out = ScenarioOutcome.of("[ops-api]", "ops-api-fence-hook", "partition", true,
                "hook confirms -> fenced by EXTERNAL_FENCE without the lease wait; hook fails -> FenceHookFailed, LEASE_EXPIRED;"
                        + " no hook -> LEASE_EXPIRED; 0 double writers on every path").figuresIn(FIGURES);
        int rounds = Integer.getInteger("chaos.fence.runs", ChaosProfile.runs(2, 5));
        Map<FencePath, List<Double>> recovery = new LinkedHashMap<>();
        for (FencePath fp : FencePath.values()) {
            recovery.put(fp, new ArrayList<>());
        }
        for (int i = 1; i <= rounds; i++) {
            // the confirming hook powers the node off: last in the round, the node is restarted after it
            for (FencePath fp : List.of(FencePath.NO_HOOK, FencePath.HOOK_FAILS, FencePath.HOOK_CONFIRMS)) {
                String service = "dt-" + fp.code + "-" + i;
                ObjectNode fencing = fencingNone();
                if (fp == FencePath.HOOK_CONFIRMS) {
                    // the volume's own hook is strict (docs/design-notes.md): only its confirmation or the agent's is evidence
                    fencing.put("external", "webhook").put("webhookUrl", webhook.url(true)).put("timeoutSeconds", 5);
                } else if (fp == FencePath.HOOK_FAILS) {
                    // a RelocatorConfig hook is preferred but not strict: when it fails, lease expiry is accepted.
                    // Set before the writer is deployed, so the controller has read it before the fault.
                    fenceHooks(webhook.url(false));
                }
                ScenarioRun run = newRun(service, fencing);
                String vol = run.workload().volumeName();
                ScenarioRun.let(Duration.ofSeconds(2));
                String a = run.workload().writingNode().orElseThrow();
                long faultAt = System.currentTimeMillis();
                run.nemesis().partition(a, PartitionScope.FULL, true);
                try {
                    Awaitility.await(vol + " writing away from partitioned " + a).atMost(RELOCATION_BOUND).pollInterval(Duration.ofMillis(250))
                            .ignoreExceptions().until(() -> run.workload().writingNode().filter(x -> !x.equals(a)).isPresent());
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    diagnose(vol, faultAt);
                    throw e;
                }
                Awaitility.await(vol + " Detaching event").atMost(STATUS_BOUND).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                        .until(() -> detaching(vol, faultAt).isPresent());
                PhaseFeed.Event det = detaching(vol, faultAt).orElseThrow();
                String evidence = det.details().path("evidence").asText();
                List<FenceWebhook.Call> calls = webhook.calls(a, vol, faultAt);
                boolean hookFailedEvent = feed.events("dev.relocator.error", vol).stream()
                        .anyMatch(e -> e.receivedMillis() >= faultAt && e.phase().equals("FenceHookFailed"));
                String hookFigure = calls.isEmpty() ? "no hook call" : String.format("hook called %.1f s after the fault, answered %d%s",
                        (calls.get(0).receivedMillis() - faultAt) / 1000.0, calls.get(0).answer(),
                        calls.get(0).offMillis() > 0 ? String.format(", node off at %.1f s", (calls.get(0).offMillis() - faultAt) / 1000.0) : "");
                if (fp == FencePath.HOOK_CONFIRMS) {
                    // the node is off: power it on again (what an operator does after the repair)
                    run.nemesis().restart(a);
                }
                ScenarioRun.let(Duration.ofSeconds(2));
                CheckResult c = out.add(finish(run));
                if (fp == FencePath.HOOK_FAILS) {
                    fenceHooks(null);
                }
                double rec = c.recoverySeconds().isEmpty() ? Double.NaN : c.recoverySeconds().get(0);
                recovery.get(fp).add(rec);
                out.note(String.format("%s run %d (%s): partition of %s -> new writer %.1f s; fencing evidence %s (%s); %s;%s 0 double writers: %s",
                        fp.label, i, vol, a, rec, evidence, det.details().path("reason").asText(), hookFigure,
                        hookFailedEvent ? " FenceHookFailed published;" : "", c.doubleWriterViolations() == 0));
                assertEquals(0, c.doubleWriterViolations(), c.summary());
                assertEquals(Verdict.VALID, c.s1().verdict(), c.summary());
                assertEquals(Verdict.VALID, c.d1().verdict(), c.summary());
                switch (fp) {
                    case HOOK_CONFIRMS -> {
                        assertEquals("EXTERNAL_FENCE", evidence, "a confirming hook is the evidence: " + det);
                        assertTrue(calls.stream().anyMatch(x -> x.answer() == 200), "the hook powered " + a + " off: " + calls);
                    }
                    case HOOK_FAILS -> {
                        assertEquals("LEASE_EXPIRED", evidence, "a failing hook falls back to the lease: " + det);
                        assertTrue(calls.stream().anyMatch(x -> x.answer() == 500), "the hook was asked and failed: " + calls);
                        assertTrue(hookFailedEvent, "FenceHookFailed on Kafka");
                    }
                    case NO_HOOK -> {
                        assertEquals("LEASE_EXPIRED", evidence, "without a hook the lease fences: " + det);
                        assertTrue(calls.isEmpty(), "no hook configured, none called: " + calls);
                    }
                }
                awaitHealthy();
            }
        }
        StringBuilder summary = new StringBuilder("partition -> new writer, p50 over ").append(rounds).append(" run(s) per path:");
        recovery.forEach((fp, xs) -> summary.append(String.format(" %s %.1f s %s;", fp.label, p50(xs), xs)));
        out.note(summary.toString());
        out.report(true);
    }

    /** RelocatorConfig.spec.fenceHooks: one webhook for every node, or none. */
    private static void fenceHooks(String url) {
        ObjectNode spec = LabApi.object();
        var hooks = spec.putArray("fenceHooks");
        if (url != null) {
            hooks.addObject().put("name", "lab-webhook").put("external", "webhook").put("webhookUrl", url).put("timeoutSeconds", 5);
        }
        config(spec);
    }

    /** What the operator said and did about a volume since a fault, for a failure's timeline. */
    private static void diagnose(String vol, long since) {
        System.out.println("[ops-api] DIAGNOSIS " + vol + ": events since the fault:");
        feed.events().stream().filter(e -> e.receivedMillis() >= since - 5000).forEach(e -> System.out.println("  +"
                + (e.receivedMillis() - since) + " ms " + e.type() + " " + e.subject() + " " + e.phase() + " " + e.details()));
        System.out.println("[ops-api] webhook calls: " + webhook.calls());
        try {
            System.out.println("[ops-api] status: " + api.status(vol));
        } catch (RuntimeException e) {
            System.out.println("[ops-api] status unavailable: " + e.getMessage());
        }
        System.out.println("[ops-api] manager's operator log (tail):\n" + managerLog(150));
    }

    /** The log of the operator instance on the first manager (the controller in a one-manager lab), read from its engine. */
    private static String managerLog(int tail) {
        String mgr = lab.managers().get(0).name();
        try {
            String id = lab.docker(mgr, "ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + OperatorStack.SERVICE).stdout()
                    .lines().findFirst().orElse("");
            var r = lab.docker(mgr, "logs", "--tail", Integer.toString(tail), id);
            return r.stdout() + r.stderr();
        } catch (RuntimeException e) {
            return "(unavailable: " + e.getMessage() + ")";
        }
    }

    private static Optional<PhaseFeed.Event> detaching(String vol, long since) {
        return feed.events("dev.relocator.volume.phase.changed", vol).stream()
                .filter(e -> e.receivedMillis() >= since && e.phase().equals("Detaching")).findFirst();
    }

    private static double p50(List<Double> xs) {
        List<Double> s = xs.stream().filter(x -> !x.isNaN()).sorted().toList();
        if (s.isEmpty()) {
            return Double.NaN;
        }
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    // ------------------------------------------------------------------------------------ plumbing

    private static ObjectNode fencingNone() {
        ObjectNode f = LabApi.object();
        f.put("leaseSeconds", 4).put("heartbeatSeconds", 1);
        return f;
    }

    /** The stored RelocatableVolume of a lab writer: its shared directory bound through the local driver, workers only. */
    private static void createVolume(String service, String volume, ObjectNode fencing) {
        ObjectNode rv = LabApi.object();
        rv.put("apiVersion", "relocator.dev/v1alpha1").put("kind", "RelocatableVolume").putObject("metadata").put("name", volume);
        ObjectNode spec = rv.putObject("spec");
        spec.put("service", service);
        ObjectNode v = spec.putObject("volume");
        v.put("name", volume).put("driver", "local");
        v.putObject("options").put("type", "none").put("o", "bind").put("device", SwarmLab.SHARED_PATH + "/" + volume);
        spec.put("target", "/data");
        spec.set("fencing", fencing);
        spec.putObject("placement").putArray("constraints").add("node.role==worker");
        api.post(LabApi.VOLUMES, rv).orThrow(201, "create RelocatableVolume " + volume);
    }

    /**
     * Creates the stored resource first (the controller waits for its service), then the writer under
     * the fencing wrapper without the opt-in label: the stored object alone declares it.
     */
    private static ScenarioRun newRun(String service, ObjectNode fencing) {
        String volume = service + "-data";
        createVolume(service, volume, fencing);
        List<String> args = new ArrayList<>();
        List<String> labelled = OperatorStack.relocatableWriterArgs(volume);
        for (int i = 0; i < labelled.size(); i++) {
            if (labelled.get(i).equals("--label") && labelled.get(i + 1).startsWith("relocator.dev/volume=")) {
                i++;
                continue;
            }
            args.add(labelled.get(i));
        }
        WriterWorkload w = new WriterWorkload(lab, service, VolumeKind.SHARED, WRITE_INTERVAL, args);
        ScenarioRun run = new ScenarioRun(lab, ChaosReport.dir().resolve("chaos-runs").resolve("ops-api-" + service), w, Optional.empty(),
                Map.of("operator", true, "declaredBy", "REST API"));
        live.put(volume, run);
        w.deploy(image);
        Awaitility.await(volume + " Attached").atMost(RELOCATION_BOUND).pollInterval(Duration.ofMillis(250))
                .until(() -> feed.phases(volume).stream().anyMatch(p -> p.phase().equals("Attached") && p.epoch() >= 1));
        return run;
    }

    private static RunData finish(ScenarioRun run) {
        String vol = run.workload().volumeName();
        live.remove(vol);
        assertFalse(feed.phases(vol).isEmpty(), "the operator published phases of " + vol);
        RunData d = run.finish();
        // the stored resource goes with its workload, so the controller does not keep waiting for the service
        int code = api.delete(LabApi.VOLUMES + "/" + vol).code();
        assertTrue(code == 200 || code == 202, "delete " + vol + ": HTTP " + code);
        return d;
    }

    /** A planned request or a fault the nemesis does not inject itself, in the run's history (the checker's L1/L2 need it). */
    private static void mark(ScenarioRun run, String f, String node, boolean expectRelocation) {
        Map<String, Object> v = Map.of("node", node, "expectRelocation", expectRelocation);
        run.history().append(Op.NEMESIS, Op.INVOKE, f, v);
        run.history().append(Op.NEMESIS, Op.OK, f, v);
    }

    private static void awaitHealthy() {
        Awaitility.await("every node ready with a healthy operator").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .ignoreExceptions().until(() -> lab.readyNodes().size() == lab.nodes().size() && stack.unhealthyNodes().isEmpty());
    }

    private static String otherWorker(String node) {
        return lab.workers().stream().map(LabNode::name).filter(n -> !n.equals(node)).findFirst().orElseThrow();
    }

    private static String host(String id) {
        return nodeNames.getOrDefault(id, id);
    }

    private static String nodeId(String hostname) {
        return nodeNames.entrySet().stream().filter(e -> e.getValue().equals(hostname)).map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("no swarm node named " + hostname + " in " + nodeNames));
    }

    private static ObjectNode body(String key, String value) {
        ObjectNode o = LabApi.object();
        o.put(key, value);
        return o;
    }
}
