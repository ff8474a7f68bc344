package dev.relocator.chaos.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relocator.chaos.checker.CheckResult;
import dev.relocator.chaos.checker.Checker;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import dev.relocator.chaos.lab.LabNode;
import dev.relocator.chaos.lab.SwarmLab;
import dev.relocator.chaos.nemesis.Nemesis;
import dev.relocator.chaos.nemesis.PartitionScope;
import dev.relocator.chaos.operator.OperatorStack;
import dev.relocator.chaos.runner.ScenarioRun;
import dev.relocator.chaos.workload.VolumeKind;
import dev.relocator.chaos.workload.WriterWorkload;
import dev.relocator.core.events.StateChange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * Lab benchmarks (issue 10 items 1, 2, 3 and 5), run by {@code scripts/bench-lab.sh}: one lab
 * (1 manager + 2 workers), the operator deployed with {@code deploy/docker-stack.yml} and its
 * defaults, the lab's Kafka broker, and in that same lab and session:
 * <ul>
 *   <li>failover: crash or full partition of the writer's node, for a relocatable writer (operator)
 *       and for a plain Swarm service on a shared {@code lab-nas} volume with a restart policy
 *       (no operator label), alternated run by run so both see the same machine load;</li>
 *   <li>mass failover: N relocatable writers on one worker, which crashes;</li>
 *   <li>per run, the operator's phases and node-health events from Kafka and the manager's Docker
 *       node-down event (event-to-action lag), and every event's publish → receipt latency.</li>
 * </ul>
 * Results are appended as JSON lines under the output directory as each run ends (a long session
 * that dies keeps what it measured); {@link LabBenchReport} turns them into the summary.
 */
public final class LabBench implements AutoCloseable {

    static final String TOPIC = "relocator.events";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WRITE_INTERVAL = Duration.ofMillis(200);
    /** Fifty writers at 5 appends/s each (plus their fencing wrappers) would be the load, not the failover. */
    private static final Duration MASS_WRITE_INTERVAL = Duration.ofSeconds(1);
    private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(90);

    /**
     * A relocatable writer created at 0 replicas: the operator makes the first placement itself
     * (Pending → Attaching → Starting). Created at 1 replica, Swarm starts the task at once and, on a
     * loaded machine, it runs before the controller's first look, which the controller then fences
     * and restarts as an adoption (docs/design-notes.md): correct, but slow enough to miss the
     * deploy bound. The failover itself is the same either way.
     */
    static List<String> relocatable(String volume) {
        List<String> a = new ArrayList<>(OperatorStack.relocatableWriterArgs(volume));
        a.addAll(List.of("--replicas", "0"));
        return a;
    }

    private final Path out;
    private final SwarmLab lab;
    private final OperatorStack stack;
    private final EventTap tap;
    private final String image;
    private final String manager;
    private final Map<String, String> idsByName = new LinkedHashMap<>();

    private LabBench(Path out, SwarmLab lab, OperatorStack stack, EventTap tap) {
        this.out = out;
        this.lab = lab;
        this.stack = stack;
        this.tap = tap;
        this.image = lab.images().workloadImage();
        this.manager = lab.managers().get(0).name();
        stack.nodeNames().forEach((id, name) -> idsByName.put(name, id));
    }

    /**
     * Options: {@code --runs=20 --faults=crash,partition --systems=relocator,swarm --mass=10,25,50 --mass-reps=1
     * --managers=1 --out=DIR}. {@code --managers=3} runs the lab with three managers beside the two workers (the
     * smallest Swarm that survives a manager's loss, and the peer-majority rule's electorate grows from 2 to 4).
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of("runs", "20", "faults", "crash,partition", "systems", "relocator,swarm",
                "mass", "10,25,50", "mass-reps", "1", "out", "chaos-tests/target/bench-lab", "managers", "1"));
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=") || !o.containsKey(a.substring(2, a.indexOf('=')))) {
                System.err.println("unknown argument '" + a + "'; expected --key=value with key in " + o.keySet()
                        + " (use --runs=0 or --mass= to skip a part)");
                System.exit(64);
            }
            o.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        int runs = Integer.parseInt(o.get("runs"));
        List<String> faults = list(o.get("faults"));
        for (String f : faults) {
            if (!f.equals(Nemesis.CRASH) && !f.equals(Nemesis.PARTITION)) {
                System.err.println("--faults takes crash and/or partition, got '" + f + "'");
                System.exit(64);
            }
        }
        List<String> systems = list(o.get("systems"));
        List<Integer> mass = list(o.get("mass")).stream().map(Integer::parseInt).toList();
        int massReps = Integer.parseInt(o.get("mass-reps"));
        Path out = Path.of(o.get("out")).toAbsolutePath();
        Files.createDirectories(out);
        long t0 = System.currentTimeMillis();
        int managers = Integer.parseInt(o.get("managers"));
        if (managers != 1 && managers != 3 && managers != 5) {
            System.err.println("--managers takes 1, 3 or 5 (a Raft majority must survive), got " + managers);
            System.exit(64);
        }
        try (LabBench b = start(out, new SwarmLab.Spec(managers, 2))) {
            b.note("session", Map.of("start", Instant.ofEpochMilli(t0).toString(), "load1", load1(), "args", List.of(args),
                    "lab", b.lab.timings().toString(), "operatorImageMs", b.stack.buildMillis(), "stackHealthyMs", b.stack.deployMillis()));
            for (int i = 1; i <= runs; i++) {
                for (String fault : faults) {
                    for (String system : systems) {
                        b.failover(system, fault, i);
                    }
                }
            }
            for (int rep = 1; rep <= massReps; rep++) {
                for (int n : mass) {
                    b.mass(n, rep);
                }
            }
            b.writeKafkaLatencies();
            b.note("session-end", Map.of("end", Instant.now().toString(), "load1", load1(),
                    "minutes", (System.currentTimeMillis() - t0) / 60000.0));
        }
        LabBenchReport.main(new String[]{out.toString()});
    }

    static LabBench start(Path out, SwarmLab.Spec spec) {
        SwarmLab lab = SwarmLab.start(spec);
        try {
            OperatorStack stack = OperatorStack.deploy(lab);
            EventTap tap = new EventTap(stack.broker().bootstrapServers(), TOPIC);
            tap.awaitAssigned(Duration.ofSeconds(60));
            System.out.println("[bench] lab " + lab.timings() + "; operator image+load " + stack.buildMillis() + " ms, stack healthy "
                    + stack.deployMillis() + " ms");
            return new LabBench(out, lab, stack, tap);
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------ failover distribution

    void failover(String system, String fault, int i) {
        boolean operator = system.equals("relocator");
        if (!operator && !system.equals("swarm")) {
            throw new IllegalArgumentException("--systems takes relocator and/or swarm, got '" + system + "'");
        }
        String service = (operator ? "r-" : "s-") + fault + "-" + i;
        WriterWorkload w = operator
                ? new WriterWorkload(lab, service, VolumeKind.SHARED, WRITE_INTERVAL, relocatable(service + "-data"))
                // plain Swarm: the same writer on a lab-nas volume, restarted by Swarm's own policy (same 1 s delay as
                // the relocatable writer), no relocator label: the operator leaves it alone
                : new WriterWorkload(lab, service, VolumeKind.LAB_NAS, WRITE_INTERVAL,
                        List.of("--restart-condition", "any", "--restart-delay", "1s"));
        Path dir = out.resolve("runs").resolve(service);
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("system", system);
        rec.put("fault", fault);
        rec.put("run", i);
        rec.put("load1Before", load1());
        ScenarioRun run = new ScenarioRun(lab, dir, w, Optional.empty(), Map.of("operator", operator, "bench", "failover"));
        String node = null;
        try {
            // the previous run restarted or healed a node: its agent must be back before this run's fault,
            // or a relocation would wait for it and the figure would measure the operator's start-up
            stack.awaitReady(Duration.ofSeconds(240));
            rec.put("load1Before", load1());
            w.deploy(image);
            ScenarioRun.let(Duration.ofSeconds(3));
            node = w.writingNode().orElseThrow();
            String faulted = node;
            long faultFrom = System.currentTimeMillis();
            if (fault.equals(Nemesis.CRASH)) {
                run.nemesis().crash(node, true);
            } else {
                run.nemesis().partition(node, PartitionScope.FULL, true);
            }
            Awaitility.await(service + " writing away from " + node).atMost(TAKEOVER_BOUND).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions().until(() -> w.writingNode().filter(n -> !n.equals(faulted)).isPresent());
            awaitNodeDown(node);
            // plain Swarm after a partition: both writers run now; let the checker see it
            ScenarioRun.let(Duration.ofSeconds(1));
            // from this fault on: the same node's down event of an earlier run is still in the daemon's log
            rec.put("dockerNodeDownMillis", NodeEvents.downAt(lab, manager, node, idsByName.getOrDefault(node, "?"), faultFrom).orElse(null));
            if (fault.equals(Nemesis.CRASH)) {
                run.nemesis().restart(node);
            } else {
                run.nemesis().healPartition(node);
            }
            // the old node is back: nothing of it may write again (the checker sees it if it does)
            ScenarioRun.let(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            rec.put("error", String.valueOf(e.getMessage()));
            System.out.println("[bench] " + service + " failed: " + e);
        }
        RunData data;
        try {
            data = run.finish();
        } catch (RuntimeException e) {
            rec.put("error", rec.getOrDefault("error", "") + "; finish: " + e.getMessage());
            append("failover.jsonl", rec);
            return;
        }
        rec.put("node", node);
        measure(rec, data, fault, w.volumeName(), node);
        rec.put("load1After", load1());
        append("failover.jsonl", rec);
        System.out.println("[bench] " + service + ": takeover " + rec.get("takeoverMs") + " ms, double writers "
                + rec.get("doubleWriters") + ", lost " + rec.get("lostWrites") + ", fencing lag " + rec.get("fencingAfterLeaseDownMs")
                + " ms, load " + rec.get("load1Before"));
    }

    /** Fills the record from a finished run: takeover, checker counts, phases, health and Docker events. */
    private void measure(Map<String, Object> rec, RunData data, String fault, String volume, String node) {
        CheckResult r = Checker.defaults().check(data);
        rec.put("s1", r.s1().verdict().name());
        rec.put("d1", r.d1().verdict().name());
        rec.put("l1", r.l1().verdict().name());
        rec.put("doubleWriters", r.doubleWriterViolations());
        rec.put("overlapMs", r.overlaps().stream().mapToLong(x -> x.toMs() - x.fromMs()).sum());
        rec.put("lostWrites", r.lostWrites());
        rec.put("acked", data.history().stream().filter(o -> Checker.WRITE.equals(o.f()) && Op.OK.equals(o.type())).count());
        rec.put("firstRecordSeconds", r.recoverySeconds().isEmpty() ? null : r.recoverySeconds().get(0));
        Optional<Long> faultAt = Takeover.faultTime(data.history(), fault);
        if (faultAt.isEmpty()) {
            return;
        }
        long f = faultAt.get();
        rec.put("faultMillis", f);
        Takeover.find(data.history(), f, node).ifPresent(t -> {
            rec.put("takeoverMs", t.millis());
            rec.put("newNode", t.newNode());
        });
        Map<String, Long> phases = new LinkedHashMap<>();
        for (EventTap.Received e : tap.since(f - 500)) {
            if (StateChange.Types.PHASE_CHANGED.equals(e.type()) && volume.equals(e.subject()) && e.epoch() >= 1) {
                phases.putIfAbsent(e.phase(), e.timeMillis() - f);
            }
        }
        rec.put("phasesMs", phases);
        String id = node == null ? null : idsByName.get(node);
        Optional<EventTap.Received> down = tap.since(f - 500).stream()
                .filter(e -> StateChange.Types.NODE_HEALTH_CHANGED.equals(e.type()) && e.subject().equals(id) && "Down".equals(e.phase()))
                .findFirst();
        down.ifPresent(d -> rec.put("leaseDownMs", d.timeMillis() - f));
        Object dockerDown = rec.remove("dockerNodeDownMillis");
        if (dockerDown instanceof Long dd && dd < f) {
            // an earlier run's event of the same node, not this fault's
            dockerDown = null;
        }
        if (dockerDown instanceof Long dd) {
            rec.put("dockerNodeDownMs", dd - f);
        }
        Long fencing = phases.get("Fencing");
        if (fencing != null) {
            down.ifPresent(d -> rec.put("fencingAfterLeaseDownMs", fencing - (d.timeMillis() - f)));
            if (dockerDown instanceof Long dd) {
                rec.put("fencingAfterDockerDownMs", fencing - (dd - f));
            }
        }
    }

    private void awaitNodeDown(String node) {
        try {
            Awaitility.await(node + " down in the swarm").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions().until(() -> !lab.readyNodes().contains(node));
        } catch (RuntimeException e) {
            // no node-down event to relate to: the record says so (no dockerNodeDownMs)
        }
    }

    // ------------------------------------------------------------------ mass failover

    void mass(int n, int rep) {
        List<String> workers = lab.workers().stream().map(LabNode::name).toList();
        String target = workers.get(0);
        String other = workers.get(1);
        String tag = "mass-" + n + "-" + rep;
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("workloads", n);
        rec.put("rep", rep);
        rec.put("load1Before", load1());
        List<ScenarioRun> runs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            // every first placement goes to the only active worker; the other is drained meanwhile (its operator
            // instance stops with it and comes back before the crash)
            lab.onManager("node", "update", "--availability", "drain", other).orThrow("drain " + other);
            for (int k = 1; k <= n; k++) {
                String service = "m" + n + "-" + rep + "-" + k;
                WriterWorkload w = new WriterWorkload(lab, service, VolumeKind.SHARED, MASS_WRITE_INTERVAL, relocatable(service + "-data"));
                runs.add(new ScenarioRun(lab, out.resolve("runs").resolve(tag).resolve(service), w, Optional.empty(),
                        Map.of("operator", true, "bench", tag)));
            }
            long d0 = System.nanoTime();
            List<Future<?>> deploys = new ArrayList<>();
            for (ScenarioRun r : runs) {
                deploys.add(pool.submit(() -> {
                    try {
                        r.workload().deploy(image);
                    } catch (org.awaitility.core.ConditionTimeoutException e) {
                        // a loaded machine: the operator's first placement may need longer than the workload's own bound
                        Awaitility.await(r.workload().service() + " writing").atMost(Duration.ofSeconds(240))
                                .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                                .until(() -> !r.workload().currentRecords().isEmpty());
                    }
                }));
            }
            for (Future<?> d : deploys) {
                d.get();
            }
            rec.put("deploySeconds", (System.nanoTime() - d0) / 1e9);
            lab.onManager("node", "update", "--availability", "active", other).orThrow("activate " + other);
            stack.awaitReady(Duration.ofSeconds(240));
            // on a starved machine a lease can lapse without any fault and move a writer before the crash:
            // counted, and such a writer is not part of this node's failover
            long elsewhere = runs.stream().filter(r -> !r.workload().writingNode().orElse("?").equals(target)).count();
            rec.put("notOnTargetAtCrash", elsewhere);
            if (elsewhere == n) {
                throw new IllegalStateException("no writer is on " + target + " at the crash");
            }
            rec.put("rssBeforeMiB", writerMemoryMiB(target));
            ScenarioRun.let(Duration.ofSeconds(3));
            long before = System.currentTimeMillis();
            runs.get(0).nemesis().crash(target, true);
            for (ScenarioRun r : runs.subList(1, runs.size())) {
                r.history().append(new Op(before, Op.NEMESIS, Op.INVOKE, Nemesis.CRASH, Map.of("node", target, "expectRelocation", true)));
            }
            Awaitility.await(n + " writers away from " + target).atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions().until(() -> runs.stream().allMatch(r -> r.workload().writingNode().filter(x -> !x.equals(target)).isPresent()));
            awaitNodeDown(target);
            rec.put("dockerNodeDownMillis", NodeEvents.downAt(lab, manager, target, idsByName.getOrDefault(target, "?"), before).orElse(null));
            ScenarioRun.let(Duration.ofSeconds(2));
            runs.get(0).nemesis().restart(target);
        } catch (Exception e) {
            rec.put("error", String.valueOf(e.getMessage()));
            System.out.println("[bench] " + tag + " failed: " + e);
        }
        List<Future<RunData>> finished = new ArrayList<>();
        for (ScenarioRun r : runs) {
            finished.add(pool.submit(r::finish));
        }
        List<Map<String, Object>> per = new ArrayList<>();
        for (int k = 0; k < runs.size(); k++) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("service", runs.get(k).workload().service());
            if (rec.get("dockerNodeDownMillis") != null) {
                one.put("dockerNodeDownMillis", rec.get("dockerNodeDownMillis"));
            }
            try {
                measure(one, finished.get(k).get(), Nemesis.CRASH, runs.get(k).workload().volumeName(), target);
            } catch (Exception e) {
                one.put("error", String.valueOf(e.getMessage()));
            }
            per.add(one);
        }
        pool.shutdown();
        rec.put("target", target);
        rec.put("perWorkload", per);
        rec.put("load1After", load1());
        append("mass.jsonl", rec);
        List<Long> t = per.stream().map(m -> (Long) m.get("takeoverMs")).filter(x -> x != null).toList();
        System.out.println("[bench] " + tag + ": " + t.size() + "/" + n + " taken over, " + (t.isEmpty() ? "" : Percentiles.summary(t))
                + ", double writers " + per.stream().mapToInt(m -> (Integer) m.getOrDefault("doubleWriters", 0)).sum());
    }

    /** Resident memory of the writers' containers on a node (sum of their cgroups' usage), MiB; -1 if unreadable. */
    private double writerMemoryMiB(String node) {
        var r = lab.docker(node, "stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}");
        if (!r.ok()) {
            return -1;
        }
        double sum = 0;
        for (String l : r.stdout().lines().filter(l -> l.startsWith("m")).toList()) {
            String[] p = l.split("\\s+");
            if (p.length >= 2) {
                sum += mib(p[1]);
            }
        }
        return Math.round(sum * 10) / 10.0;
    }

    static double mib(String s) {
        double f = s.endsWith("GiB") ? 1024 : s.endsWith("MiB") ? 1 : s.endsWith("KiB") ? 1 / 1024.0 : 1 / 1048576.0;
        String num = s.replaceAll("[A-Za-z]+$", "");
        return Double.parseDouble(num) * f;
    }

    // ------------------------------------------------------------------ Kafka latency

    private void writeKafkaLatencies() {
        List<EventTap.Received> all = tap.events();
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("events", all.size());
        rec.put("latencyMs", all.stream().map(EventTap.Received::latencyMillis).toList());
        rec.put("types", all.stream().collect(Collectors.groupingBy(EventTap.Received::type, LinkedHashMap::new, Collectors.counting())));
        append("kafka.jsonl", rec);
        // every event as received, for reading a run's timeline afterwards (waiting reasons, node health)
        for (EventTap.Received e : all) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", e.type());
            m.put("subject", e.subject());
            m.put("phase", e.phase());
            m.put("epoch", e.epoch());
            m.put("time", e.timeMillis());
            m.put("received", e.receivedMillis());
            m.put("details", e.details());
            append("events.jsonl", m);
        }
    }

    // ------------------------------------------------------------------ plumbing

    private void note(String what, Map<String, Object> v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("note", what);
        m.putAll(v);
        append("session.jsonl", m);
    }

    private synchronized void append(String file, Map<String, Object> rec) {
        try {
            Files.writeString(out.resolve(file), JSON.writeValueAsString(rec) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out.resolve(file), e);
        }
    }

    static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static List<String> list(String s) {
        return s.isBlank() ? List.of() : List.of(s.split(","));
    }

    @Override
    public void close() {
        tap.close();
        try {
            System.out.println("[bench] operator logs (tail):\n" + stack.logs(100));
        } finally {
            stack.close();
            lab.close();
        }
    }
}
