package dev.relocator.chaos.rolling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relocator.chaos.checker.CheckResult;
import dev.relocator.chaos.checker.Checker;
import dev.relocator.chaos.checker.Verdict;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import dev.relocator.chaos.lab.ExecResult;
import dev.relocator.chaos.lab.LabNode;
import dev.relocator.chaos.lab.SwarmLab;
import dev.relocator.chaos.operator.OperatorStack;
import dev.relocator.chaos.operator.PhaseFeed;
import dev.relocator.chaos.report.ChaosReport;
import dev.relocator.chaos.report.ScenarioEntry;
import dev.relocator.chaos.runner.ChaosProfile;
import dev.relocator.chaos.runner.ScenarioRun;
import dev.relocator.chaos.workload.VolumeKind;
import dev.relocator.chaos.workload.WriterWorkload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 7 item 4: a rolling {@code docker service update} of the operator (one forced update that
 * also changes the image and the environment, so every instance is replaced) while a relocatable
 * writer is Attached moves nothing and loses nothing: no {@code Fencing}, no new epoch, the
 * controller's state labels unchanged, the same writer on the same node, no gap in its acknowledged
 * writes longer than {@link #MAX_GAP}, and S1/D1 valid. What makes it hold is the agent hand-over
 * (docs/design-notes.md, "Operator upgrade without relocation"): the stopping agent's lease is
 * extended by the controller, so the new instance's start (seconds to tens of seconds here) is no
 * longer a lapse.
 *
 * <p>The control (second test): the writer's node loses its operator instance <em>without</em> a
 * hand-over (SIGKILL: no shutdown hook runs, nothing is asked for) and Swarm starts the next one,
 * exactly the replacement the update does, minus the hand-over. The start outlasts the lease: the
 * fencing wrapper stops the writer, and it is relocated (Fencing, a new epoch) or, when the node's next
 * agent renews before the controller's expiry, restarted in place: either way the first test's pause
 * check fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorRollingUpdateIT {

    private static final Duration WRITE_INTERVAL = Duration.ofMillis(200);
    /**
     * Longest allowed pause between two acknowledged writes during the updates. The writer appends
     * every 200 ms; the fencing wrapper's gate and the node's load add some hundred ms. An agent
     * restart that lapses the lease would kill the writer, and a restart takes seconds.
     */
    private static final Duration MAX_GAP = Duration.ofSeconds(2);
    /** The writer must be writing again on its new node within this after the control's kill (lease + margin + a loaded start). */
    private static final Duration CONTROL_BOUND = Duration.ofSeconds(150);
    private static final Duration UPDATE_BOUND = Duration.ofSeconds(300);

    private static SwarmLab lab;
    private static OperatorStack stack;
    private static PhaseFeed feed;
    private WriterWorkload writer;
    private ScenarioRun run;

    @BeforeAll
    static void start() {
        lab = SwarmLab.start(SwarmLab.Spec.defaults());
        stack = OperatorStack.deploy(lab);
        feed = new PhaseFeed(stack.broker().bootstrapServers(), "relocator.events");
        System.out.println("[chaos] lab " + lab.timings() + "; operator image+load " + stack.buildMillis() + " ms, stack healthy "
                + stack.deployMillis() + " ms");
    }

    @AfterAll
    static void stop() {
        if (feed != null) {
            feed.close();
        }
        if (stack != null) {
            System.out.println("[chaos] operator logs (tail):\n" + stack.logs(150));
            stack.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    /** A relocatable writer, Attached at epoch 1 (as the operator published it). */
    private void attachedWriter(String service, String scenario) {
        writer = new WriterWorkload(lab, service, VolumeKind.SHARED, WRITE_INTERVAL, OperatorStack.relocatableWriterArgs(service + "-data"));
        run = new ScenarioRun(lab, ChaosReport.dir().resolve("chaos-runs").resolve(scenario).resolve("run-1"), writer,
                Optional.empty(), Map.of("operator", true));
        writer.deploy(lab.images().workloadImage());
        Awaitility.await(service + " Attached at epoch 1").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> feed.phases(writer.volumeName()).stream().anyMatch(p -> p.phase().equals("Attached") && p.epoch() == 1));
        // a few writes at steady state before anything is updated
        ScenarioRun.let(Duration.ofSeconds(2));
    }

    @Test
    @Order(2)
    void aRollingUpdateOfTheOperatorMovesNothingAndLosesNothing() {
        attachedWriter("rolling", "operator-rolling-update");
        String volume = writer.volumeName();
        Map<String, String> stateBefore = stateLabels();
        String node = writer.writingNode().orElseThrow();
        assertEquals("1", stateBefore.get("status.relocator.dev/epoch"), "attached at epoch 1 before the update: " + stateBefore);

        // an image and an environment change, forced: a new tag of the same image on every node, one more variable
        String retagged = stack.image() + "-rolled";
        for (LabNode n : lab.nodes()) {
            lab.docker(n.name(), "tag", stack.image(), retagged).orThrow("tag on " + n.name());
        }
        long t0 = System.currentTimeMillis();
        rollingUpdate("force-image-env", "--force", "--image", retagged, "--env-add", "RELOCATOR_ROLLING_UPDATE_PROBE=2");
        long t1 = System.currentTimeMillis();
        long t2 = t1;
        if (ChaosProfile.name().equals("full")) {
            // full profile: a second, plain forced update on top
            rollingUpdate("force", "--force");
            t2 = System.currentTimeMillis();
        }
        ScenarioRun.let(Duration.ofSeconds(3));

        Map<String, String> stateAfter = stateLabels();
        List<PhaseFeed.Phase> phases = feed.phases(volume);
        System.out.println("[chaos] rolling update --force --image --env-add took " + (t1 - t0) + " ms, then --force " + (t2 - t1) + " ms; state labels before "
                + stateBefore + ", after " + stateAfter + "; phases " + phases.stream().map(p -> p.phase() + " e" + p.epoch()).toList());
        String imageNow = lab.onManager("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", OperatorStack.SERVICE)
                .orThrow("inspect").stdout().strip();
        assertTrue(imageNow.startsWith(retagged), "the update really changed the operator's image: " + imageNow);
        assertTrue(stack.unhealthyNodes().isEmpty(), "every node runs a healthy operator after the update: " + stack.unhealthyNodes());

        RunData data = run.finish();
        CheckResult r = Checker.defaults().check(data);
        long gap = maxAckGap(data.history(), t0, t2);
        System.out.println("[chaos] operator-rolling-update: " + r.verdict() + " — " + r.summary() + "; longest pause between acknowledged writes "
                + "during the updates " + gap + " ms");
        ChaosReport.record(ChaosReport.dir(), ScenarioEntry.of("operator-rolling-update", "rolling-update", true,
                "no relocation (no Fencing, epoch 1), state labels unchanged, no gap > " + MAX_GAP.toMillis() + " ms, S1 and D1 valid",
                true, List.of(r), List.of(ChaosReport.dir().toAbsolutePath().relativize(data.dir().toAbsolutePath()))));

        // (a Fencing at epoch 0 before the update is the first placement adopting a task Swarm started itself, §4.6)
        assertTrue(phases.stream().noneMatch(p -> p.phase().equals("Fencing") && p.receivedMillis() >= t0), "no relocation started: " + phases);
        assertEquals(1L, phases.stream().mapToLong(PhaseFeed.Phase::epoch).max().orElse(-1), "no new epoch: " + phases);
        assertEquals(stateBefore, stateAfter, "the controller's state labels are what they were");
        assertEquals(1, writersDuring(data.history(), t0, t2).size(), "one writer throughout: " + writersDuring(data.history(), t0, t2));
        assertEquals(node, lastNode(data), "the writer stayed on " + node);
        assertEquals(Verdict.VALID, r.s1().verdict(), r.summary());
        assertEquals(Verdict.VALID, r.d1().verdict(), r.summary());
        assertEquals(0, r.lostWrites(), r.summary());
        assertTrue(gap <= MAX_GAP.toMillis(), "the writer kept writing: longest pause " + gap + " ms > " + MAX_GAP.toMillis() + " ms");
        // granted to the writer's node itself, or to every node by the stopping controller (the leader's instance
        // updated first covers the others' stops within its extension: they then need no grant of their own)
        String writerNodeId = nodeId(lastNode(data));
        List<PhaseFeed.Event> grants = feed.events().stream().filter(e -> e.receivedMillis() >= t0
                && (e.phase().equals("HandoverGranted") && e.subject().equals(writerNodeId)
                || e.phase().equals("ControllerHandover") && e.details().path("nodes").toString().contains(writerNodeId))).toList();
        System.out.println("[chaos] hand-overs covering the writer's node during the update: " + grants);
        assertTrue(!grants.isEmpty(), "the writer's node was granted a hand-over during the update: " + feed.events().stream()
                .filter(e -> e.receivedMillis() >= t0 && e.phase().startsWith("Handover") || e.phase().equals("ControllerHandover")).toList());
    }

    /**
     * Swarm stops and replaces an operator task outside any update too (after its node returns from a
     * partition or a restart, on a failed health check, on {@code docker stop}). No extension then: it would
     * delay the next failover of that node by up to a minute (docs/benchmarks.md §4.1). The stopping instance
     * asks, and the controller refuses, naming why.
     */
    @Test
    @Order(3)
    void aStopOutsideAnUpdateIsRefusedTheExtension() {
        LabNode worker = lab.workers().get(0);
        String id = nodeId(worker.name());
        String operator = lab.docker(worker.name(), "ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + OperatorStack.SERVICE)
                .orThrow("ps").stdout().strip();
        assertTrue(!operator.isEmpty() && !operator.contains("\n"), "one operator instance on " + worker.name() + ": " + operator);
        long t0 = System.currentTimeMillis();
        lab.docker(worker.name(), "stop", operator).orThrow("docker stop the operator on " + worker.name());
        Awaitility.await("HandoverRefused for " + worker.name()).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> handover("HandoverRefused", id, t0).isPresent());
        PhaseFeed.Event refused = handover("HandoverRefused", id, t0).orElseThrow();
        System.out.println("[chaos] docker stop of the operator on " + worker.name() + " outside an update: " + refused.details());
        assertTrue(refused.details().path("reason").asText().contains("no update of the operator's service " + OperatorStack.SERVICE),
                "the refusal names the service and why: " + refused.details());
        assertTrue(handover("HandoverGranted", id, t0).isEmpty(), "no extension outside an update: "
                + feed.events("dev.relocator.node.health.changed", id));
        stack.awaitReady(Duration.ofSeconds(120));
        assertTrue(handover("HandoverGranted", id, t0).isEmpty(), "none later either");
    }

    private static Optional<PhaseFeed.Event> handover(String phase, String nodeId, long since) {
        return feed.events("dev.relocator.node.health.changed", nodeId).stream()
                .filter(e -> e.receivedMillis() >= since && e.phase().equals(phase)).findFirst();
    }

    private static String nodeId(String hostname) {
        return stack.nodeNames().entrySet().stream().filter(e -> e.getValue().equals(hostname)).map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("no swarm node named " + hostname + " in " + stack.nodeNames()));
    }

    /**
     * The control: the writer's node loses its operator instance without a hand-over (SIGKILL, so no
     * shutdown hook asks for the extension) and Swarm replaces it (restart policy), the same
     * replacement as in the update. The new instance's start outlasts the lease: the wrapper stops
     * the writer, which is relocated or restarted in place. The first test's pause check sees exactly
     * this when the hand-over does not happen. It runs first: after an update every node's lease file
     * still holds the hand-over extension for up to a minute, which would carry the writer over the kill.
     */
    @Test
    @Order(1)
    void theControlAnInstanceReplacedWithoutAHandOverRelocatesTheWriter() {
        attachedWriter("rolling-control", "operator-rolling-update-control");
        String volume = writer.volumeName();
        String node = writer.writingNode().orElseThrow();
        String labNode = lab.nodes().stream().map(LabNode::name)
                .filter(n -> !lab.docker(n, "ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + writer.service()).stdout().isBlank())
                .findFirst().orElseThrow(() -> new AssertionError("no lab node runs " + writer.service()));
        String operator = lab.docker(labNode, "ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + OperatorStack.SERVICE)
                .orThrow("ps").stdout().strip();
        assertTrue(!operator.isEmpty() && !operator.contains("\n"), "one operator instance on " + labNode + ": " + operator);
        long t0 = System.currentTimeMillis();
        run.history().append(Op.HARNESS, Op.INVOKE, "kill-operator", Map.of("node", labNode, "signal", "KILL"));
        lab.docker(labNode, "kill", "--signal", "KILL", operator).orThrow("kill the operator on " + labNode);
        java.util.Set<String> writersBefore = writer.writers();
        try {
            // the writer is stopped by its wrapper and started again: relocated (a new epoch), or restarted in place when
            // the node's next agent renews before the controller's expiry; either way a new writer writes
            Awaitility.await("a new writer after the kill").atMost(CONTROL_BOUND).pollInterval(Duration.ofMillis(500))
                    .until(() -> !writersBefore.containsAll(writer.writers()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.println("[chaos] control: no relocation; phases " + feed.phases(volume).stream()
                    .map(p -> p.phase() + " e" + p.epoch() + " @" + p.receivedMillis()).toList() + "; kill at " + t0
                    + "; writer's node labels " + lab.onManager("node", "inspect", "--format", "{{json .Spec.Labels}}", labNode).stdout());
            throw e;
        }
        long t1 = System.currentTimeMillis();
        stack.awaitReady(Duration.ofSeconds(120));
        List<PhaseFeed.Phase> phases = feed.phases(volume);
        RunData data = run.finish();
        CheckResult r = Checker.defaults().check(data);
        long gap = maxAckGap(data.history(), t0, t1);
        System.out.println("[chaos] operator-rolling-update-control (no hand-over): " + r.summary() + "; phases "
                + phases.stream().map(p -> p.phase() + " e" + p.epoch()).toList() + "; longest pause " + gap
                + " ms; writer on " + node + " before, " + lastNode(data) + " after; relocated " + (t1 - t0) + " ms after the kill");
        ChaosReport.record(ChaosReport.dir(), ScenarioEntry.of("operator-rolling-update-control", "rolling-update", true,
                "control: an operator instance replaced without a hand-over outlasts the lease: the writer is stopped (pause > MAX_GAP) and restarted or relocated, S1 and D1 still valid",
                true, List.of(r), List.of(ChaosReport.dir().toAbsolutePath().relativize(data.dir().toAbsolutePath()))));
        // the first test's check fails here: the writer was stopped while its node had no agent
        assertTrue(gap > MAX_GAP.toMillis(), "the writer stopped while its agent was away: longest pause " + gap + " ms");
        assertTrue(!writersBefore.containsAll(data.volume().map(v -> v.stream().map(x -> x.writer()).collect(java.util.stream.Collectors.toSet()))
                .orElse(java.util.Set.of())), "a new writer took over");
        assertEquals(Verdict.VALID, r.s1().verdict(), r.summary());
        assertEquals(Verdict.VALID, r.d1().verdict(), r.summary());
    }

    private static String lastNode(RunData data) {
        return data.volume().filter(v -> !v.isEmpty()).map(v -> v.get(v.size() - 1).node()).orElse("?");
    }

    private void rollingUpdate(String what, String... args) {
        run.history().append(Op.HARNESS, Op.INVOKE, "rolling-update", Map.of("kind", what, "args", List.of(args)));
        String[] cmd = new String[args.length + 4];
        cmd[0] = "service";
        cmd[1] = "update";
        cmd[2] = "--quiet";
        System.arraycopy(args, 0, cmd, 3, args.length);
        cmd[cmd.length - 1] = OperatorStack.SERVICE;
        // without --detach the CLI returns when the update has converged on every node (or rolled back)
        ExecResult r = lab.exec(lab.managers().get(0).name(), UPDATE_BOUND, prepend("docker", cmd));
        run.history().append(Op.HARNESS, r.ok() ? Op.OK : Op.FAIL, "rolling-update", Map.of("kind", what, "exit", r.exitCode()));
        r.orThrow("docker service update " + String.join(" ", args));
        // the CLI returns once every task runs; Swarm reports "completed" only after the stack's update delay
        java.util.concurrent.atomic.AtomicReference<String> state = new java.util.concurrent.atomic.AtomicReference<>("");
        Awaitility.await("the rolling update (" + what + ") settles").atMost(UPDATE_BOUND).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    state.set(lab.onManager("service", "inspect", "--format", "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}",
                            OperatorStack.SERVICE).orThrow("inspect").stdout().strip());
                    return !state.get().equals("updating");
                });
        assertEquals("completed", state.get(), "the rolling update (" + what + ") completed instead of pausing or rolling back");
    }

    private static String[] prepend(String first, String[] rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    /** The controller-owned labels of the writer's service (status.relocator.dev/*). */
    private Map<String, String> stateLabels() {
        String json = lab.onManager("service", "inspect", "--format", "{{json .Spec.Labels}}", writer.service()).orThrow("inspect").stdout();
        Map<String, String> out = new TreeMap<>();
        try {
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).fields().forEachRemaining(e -> {
                if (e.getKey().startsWith("status.relocator.dev/")) {
                    out.put(e.getKey(), e.getValue().asText());
                }
            });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** The longest time between two consecutive acknowledged writes within [from, to] (the ends included). */
    static long maxAckGap(List<Op> history, long from, long to) {
        List<Long> t = history.stream().filter(o -> Checker.WRITE.equals(o.f()) && Op.OK.equals(o.type()))
                .map(Op::time).sorted().toList();
        long prev = t.stream().filter(x -> x <= from).reduce((a, b) -> b).orElse(from);
        long max = 0;
        for (long x : t) {
            if (x > from && x <= to) {
                max = Math.max(max, x - prev);
                prev = x;
            }
        }
        return Math.max(max, to - prev);
    }

    private static java.util.Set<String> writersDuring(List<Op> history, long from, long to) {
        java.util.Set<String> w = new java.util.TreeSet<>();
        history.stream().filter(o -> Checker.WRITE.equals(o.f()) && Op.OK.equals(o.type()) && o.time() >= from && o.time() <= to)
                .forEach(o -> w.add(o.process()));
        return w;
    }
}
