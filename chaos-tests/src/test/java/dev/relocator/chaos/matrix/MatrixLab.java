package dev.relocator.chaos.matrix;

import dev.relocator.chaos.checker.Checker;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.lab.LabNode;
import dev.relocator.chaos.lab.SwarmLab;
import dev.relocator.chaos.nemesis.KafkaBrokerControl;
import dev.relocator.chaos.operator.FenceWebhook;
import dev.relocator.chaos.operator.OperatorStack;
import dev.relocator.chaos.operator.PhaseFeed;
import dev.relocator.chaos.report.ChaosReport;
import dev.relocator.chaos.runner.ScenarioRun;
import dev.relocator.chaos.workload.VolumeKind;
import dev.relocator.chaos.workload.WriterWorkload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;

/**
 * One lab (3 managers + 2 workers) with the operator stack, shared by every run of the matrix:
 * a run deploys its own writer service and volume, the fault is healed at its end, and
 * {@link #restore()} waits until every node is Ready and runs a healthy operator before the next
 * run. A relocation needs the two workers; the three managers keep a quorum when the leader crashes.
 */
final class MatrixLab implements AutoCloseable {

    static final Duration WRITE_INTERVAL = Duration.ofMillis(200);
    /**
     * A new writer service is adopted (Attached at epoch 1) in 6-30 s; one adoption took more than
     * 60 s at a load average of 130 on the 2 shared cores (NoEligibleNode retries), hence the slack.
     */
    static final Duration ADOPTION_BOUND = Duration.ofSeconds(120);
    /** Restarted nodes and operator instances (Quarkus starts in ~20 s on these shared cores). */
    static final Duration RESTORE_BOUND = Duration.ofSeconds(240);
    /** deploy/Dockerfile's HEALTHCHECK command (deploy/healthcheck.sh). */
    static final String HEALTH_CHECK = "/usr/local/bin/relocator-healthcheck";

    final SwarmLab lab;
    final OperatorStack stack;
    final PhaseFeed feed;
    final KafkaBrokerControl broker;
    /** The lab's power switch behind a fence-hook webhook (kills the named node's container, answers 200 once it is off). */
    final FenceWebhook fence;
    final String image;
    private final Map<String, CompletableFuture<PhaseFeed.Phase>> waiters = new ConcurrentHashMap<>();
    private volatile Map<String, String> nodeNames;
    /** The run whose history receives the operator's phases as they arrive. */
    private volatile ScenarioRun current;

    private MatrixLab(SwarmLab lab, OperatorStack stack) {
        this.lab = lab;
        this.stack = stack;
        this.broker = new KafkaBrokerControl(stack.broker());
        this.image = lab.images().workloadImage();
        this.nodeNames = stack.nodeNames();
        this.feed = new PhaseFeed(stack.broker().bootstrapServers(), "relocator.events");
        feed.onPhase(this::onPhase);
        this.fence = new FenceWebhook(lab);
    }

    static MatrixLab start() {
        // 3 managers so the leader can crash with a quorum left; -Dchaos.matrix.managers=1 gives a
        // lighter lab for the scenarios that do not touch managers (blip, freezes, worker faults)
        SwarmLab lab = SwarmLab.start(new SwarmLab.Spec(Integer.getInteger("chaos.matrix.managers", 3), 2));
        try {
            long t0 = System.nanoTime();
            OperatorStack stack = OperatorStack.deploy(lab);
            System.out.println("[matrix] lab " + lab.timings() + "; operator image+load " + stack.buildMillis()
                    + " ms, stack healthy " + stack.deployMillis() + " ms, set-up " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            return new MatrixLab(lab, stack);
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    private void onPhase(PhaseFeed.Phase p) {
        ScenarioRun run = current;
        if (run != null && p.volume().equals(run.workload().volumeName())) {
            Map<String, Object> v = new java.util.LinkedHashMap<>();
            v.put("phase", p.phase() + " e" + p.epoch());
            v.put("node", nodeName(p.node()));
            details(p).ifPresent(d -> v.put("details", d));
            run.history().append(new Op(p.receivedMillis(), "operator", Op.INFO, "phase", v));
        }
        CompletableFuture<PhaseFeed.Phase> w = waiters.remove(p.volume() + "/" + p.phase());
        if (w != null) {
            w.complete(p);
        }
    }

    /** The event's details (evidence, reason of a Failed step), flat and bounded: why a phase came, in the history. */
    private static Optional<String> details(PhaseFeed.Phase p) {
        try {
            com.fasterxml.jackson.databind.JsonNode d = JSON.readTree(p.raw()).path("data").path("details");
            if (d.isMissingNode() || d.isNull() || d.isEmpty()) {
                return Optional.empty();
            }
            String s = d.toString();
            return Optional.of(s.length() > 400 ? s.substring(0, 400) + "..." : s);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    String nodeName(String swarmId) {
        return nodeNames.getOrDefault(swarmId, swarmId);
    }

    /**
     * Deploys a new relocatable writer and returns once the operator has it Attached (epoch 1).
     * {@code extraArgs} go to {@code docker service create} after the relocatable writer's own (e.g.
     * the {@code relocator.dev/fence*} labels of a volume with its own fence hook).
     */
    ScenarioRun newRun(String scenario, int i, long seed, VolumeKind kind, Duration l1Bound, List<String> extraArgs) {
        String service = "x" + Integer.toHexString(scenario.hashCode() & 0xfffff) + "-" + i;
        List<String> args = new ArrayList<>(OperatorStack.relocatableWriterArgs(service + "-data"));
        args.addAll(extraArgs);
        WriterWorkload w = new WriterWorkload(lab, service, kind, WRITE_INTERVAL, args);
        Path dir = ChaosReport.dir().resolve("chaos-runs").resolve(scenario).resolve("run-" + i);
        ScenarioRun run = new ScenarioRun(lab, dir, w, Optional.of(broker),
                Map.of("operator", true, "scenario", scenario, "seed", seed, Checker.L1_BOUND_SECONDS, l1Bound.toSeconds(), "replay",
                        "-Dchaos.matrix.seed=" + seed + " -Dit.test=OperatorMatrixIT#<the scenario's method>"));
        current = run;
        try {
            if (kind == VolumeKind.LAB_NAS) {
                labelledPluginVolume(w.volumeName());
            }
            w.deploy(image);
            Awaitility.await(w.volumeName() + " Attached by the operator").atMost(ADOPTION_BOUND).pollInterval(Duration.ofMillis(200))
                    .until(() -> feed.phases(w.volumeName()).stream().anyMatch(p -> p.phase().equals("Attached")));
        } catch (RuntimeException e) {
            // the caller never gets this run to finish: stop its writer here, or it keeps running into the next runs
            current = null;
            try {
                run.finish();
            } catch (RuntimeException stop) {
                e.addSuppressed(stop);
            }
            throw e;
        }
        return run;
    }

    /**
     * A plugin-driver (lab-nas) volume declared the way Relocator needs it on every worker: labelled
     * {@code relocator.dev/relocatable=true}. The agent removes a node's reference to a volume of any
     * driver but {@code local} only with that label (it cannot know otherwise that removing it keeps
     * the data); the reference Docker creates by itself when the task starts has no label, and the
     * adoption then loops in Detaching / Failed (WaitingForDetachTimeout), as both unmount-hang runs
     * of the first ci run did.
     */
    private void labelledPluginVolume(String volume) {
        for (LabNode n : lab.workers()) {
            lab.docker(n.name(), "volume", "create", "--driver", "lab-nas", "--label", "relocator.dev/relocatable=true", volume)
                    .orThrow("lab-nas volume " + volume + " on " + n.name());
        }
    }

    /** When the first Attached of {@code volume} arrived (the adoption), or 0 when none did. */
    long attachedMillis(String volume) {
        return feed.phases(volume).stream().filter(p -> p.phase().equals("Attached")).mapToLong(PhaseFeed.Phase::receivedMillis)
                .min().orElse(0);
    }

    /** Stops recording phases into the run (its history is about to be closed). */
    void endRun() {
        current = null;
    }

    /**
     * A future completed with the next {@code phase} of {@code volume} the operator publishes: the
     * action runs as soon as Kafka delivers it. Register it before injecting the fault.
     */
    CompletableFuture<PhaseFeed.Phase> nextPhase(String volume, String phase) {
        CompletableFuture<PhaseFeed.Phase> f = new CompletableFuture<>();
        waiters.put(volume + "/" + phase, f);
        return f;
    }

    static PhaseFeed.Phase await(CompletableFuture<PhaseFeed.Phase> f, Duration bound, String what) {
        try {
            return f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no " + what + " within " + bound, e);
        } catch (ExecutionException e) {
            throw new AssertionError(what, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }

    /** The latest phase of a volume the feed has seen (what was current when an action was taken). */
    String latestPhase(String volume) {
        List<PhaseFeed.Phase> seen = feed.phases(volume);
        return seen.isEmpty() ? "none" : seen.get(seen.size() - 1).phase() + " e" + seen.get(seen.size() - 1).epoch();
    }

    long maxEpoch(String volume) {
        return feed.phases(volume).stream().mapToLong(PhaseFeed.Phase::epoch).max().orElse(-1);
    }

    /** Waits (bounded) until the data shows a writer on a node other than {@code from}. */
    static void awaitRelocatedAway(ScenarioRun run, String from, Duration bound) {
        Awaitility.await("the writer relocated by the operator away from " + from).atMost(bound)
                .pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .until(() -> run.workload().writingNode().filter(n -> !n.equals(from)).isPresent());
    }

    /**
     * Every node Ready and running a ready operator instance: the next run starts on a whole cluster.
     * Both waits look at once and then every 500 ms (OperatorStack.awaitReady waits 2 s before its
     * first look, which after most runs, where nothing needs restoring, was the whole cost).
     */
    void restore() {
        Set<String> all = new java.util.TreeSet<>(lab.nodes().stream().map(LabNode::name).toList());
        Awaitility.await("every node Ready").atMost(RESTORE_BOUND).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> lab.readyNodes().containsAll(all));
        Awaitility.await("a ready operator on every node").atMost(RESTORE_BOUND).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> stack.unhealthyNodes().stream().allMatch(this::operatorReady));
        nodeNames = stack.nodeNames();
    }

    /**
     * The image's own health check, run now in the node's operator container: Docker runs it only
     * every 5 s (and first 5 s after the start), so a restarted instance is ready up to 5 s before
     * Docker calls it healthy. The same probe, so the same meaning (/q/health/ready answers 200).
     */
    private boolean operatorReady(String node) {
        String id = lab.docker(node, "ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + OperatorStack.SERVICE,
                "--filter", "status=running").stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
        return !id.isEmpty() && lab.docker(node, "exec", id, HEALTH_CHECK).ok();
    }

    /**
     * What the operator instance on {@code node} did since its container started, for the history:
     * the container's start time (after a SIGKILL: Swarm's restart) and its log lines about the
     * Quarkus start and the controller's role, with the engine's timestamps. Diagnostics only: a
     * failure to read them is recorded, never thrown.
     */
    Map<String, Object> operatorStart(String node) {
        Map<String, Object> v = new java.util.LinkedHashMap<>();
        v.put("node", node);
        try {
            String id = lab.docker(node, "ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + OperatorStack.SERVICE,
                    "--filter", "status=running").stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
            if (id.isEmpty()) {
                v.put("error", "no running operator container");
                return v;
            }
            v.put("startedAt", lab.docker(node, "inspect", "-f", "{{.State.StartedAt}}", id).stdout().strip());
            v.put("log", lab.exec(node, "sh", "-c", "docker logs --timestamps " + id + " 2>&1 | grep -E '" + START_LOG
                    + "' | tail -n 12").stdout().lines().map(l -> l.length() > 220 ? l.substring(0, 220) : l).toList());
        } catch (RuntimeException e) {
            v.put("error", String.valueOf(e.getMessage()));
        }
        return v;
    }

    /** Log lines of a starting instance worth a timeline: Quarkus up, the controller created, acting, refused targets. */
    private static final String START_LOG = "started in|created on manager|is acting|stopped acting|NoEligibleNode|no acting controller";

    String leader() {
        return lab.leader().orElseThrow(() -> new AssertionError("no manager reports a Raft leader"));
    }

    @Override
    public void close() {
        fence.close();
        feed.close();
        try {
            System.out.println("[matrix] operator logs (tail):\n" + stack.logs(300));
        } finally {
            try {
                stack.close();
            } finally {
                lab.close();
            }
        }
    }
}
