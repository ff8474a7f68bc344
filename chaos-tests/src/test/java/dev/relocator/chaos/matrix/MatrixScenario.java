package dev.relocator.chaos.matrix;

import dev.relocator.chaos.checker.CheckResult;
import dev.relocator.chaos.checker.Checker;
import dev.relocator.chaos.checker.Verdict;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import dev.relocator.chaos.history.WriteRecord;
import dev.relocator.chaos.report.ChaosReport;
import dev.relocator.chaos.report.RunSummary;
import dev.relocator.chaos.report.ScenarioEntry;
import dev.relocator.chaos.runner.ChaosProfile;
import dev.relocator.chaos.runner.ScenarioRun;
import dev.relocator.chaos.workload.VolumeKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.awaitility.Awaitility;

/**
 * One scenario of the matrix: a fault script, what the design claims for it, and the loop that runs
 * it {@code ChaosProfile.runs(2, 20)} times on the shared lab, checks every run (in memory and again
 * from the stored history), asserts the claim per run, and upserts the scenario's report entry
 * before failing with every violated run listed.
 */
final class MatrixScenario {

    /** What the design claims, hence what each run must show. */
    enum Claim {
        /** relocated: 0 double writers, 0 lost acknowledged writes, L1 valid, a new epoch */
        SAFE_MOVE,
        /** nothing moves (L2): valid, 0 relocations, no epoch above 1 */
        NO_MOVE,
        /** restarted in place or moved: 0 double writers, 0 lost acknowledged writes, L1 valid */
        SAFE_RESTART,
        /**
         * no safety claimed (DESIGN §5: a freeze longer than the lease without an external fence):
         * the checker's verdict must agree with the stored records, whatever it is
         */
        GAP
    }

    /** What a fault script gets: the lab, the run, the writer's node at the fault and the run's seeded random. */
    record Ctx(MatrixLab m, ScenarioRun run, String node, SplittableRandom rnd) {
        String volume() {
            return run.workload().volumeName();
        }
    }

    @FunctionalInterface
    interface Script {
        void inject(Ctx c);
    }

    /** A scenario's own claim beyond its {@link Claim}, checked on the stored run: the violations, empty when it held. */
    @FunctionalInterface
    interface Check {
        List<String> violations(RunData stored, CheckResult r, String faultNode);
    }

    static final long BASE_SEED = Long.getLong("chaos.seed", 20261204L);
    /** Records of the adopted writer before the fault: at least 0.6 s of writing (one every 200 ms). */
    static final int PRE_FAULT_RECORDS = 4;

    private final String name;
    private final String fault;
    private final VolumeKind kind;
    private final Claim claim;
    private final String expectation;
    private final Script script;
    /**
     * The matrix's default L1 bound: the lease hand-over extension a node may still carry from its
     * operator's last SIGTERM (60 s by default, OperatorMatrixIT.MOVE_BOUND) plus the lease and
     * room for shared cores.
     */
    static final Duration L1_BOUND = Duration.ofSeconds(90);

    private Duration l1Bound = L1_BOUND;
    private List<String> writerArgs = List.of();
    private Check check = (d, r, n) -> List.of();

    /**
     * The run's L1 bound, recorded in its history (the checker and a re-check read it there). The
     * default {@link #L1_BOUND} is far above the design's 7.1 s for one crash or partition; scenarios whose
     * recovery includes restarting the controller (Quarkus start on shared cores) or a Raft
     * election plus the new controller's activation wait state a longer one.
     */
    MatrixScenario l1Bound(Duration bound) {
        this.l1Bound = bound;
        return this;
    }

    /** Extra {@code docker service create} arguments of every run's writer (e.g. a fence hook's labels). */
    MatrixScenario writerArgs(List<String> args) {
        this.writerArgs = List.copyOf(args);
        return this;
    }

    /** The scenario's own claim, checked per run on the history as stored (so a re-check can repeat it). */
    MatrixScenario check(Check c) {
        this.check = c;
        return this;
    }

    MatrixScenario(String name, String fault, VolumeKind kind, Claim claim, String expectation, Script script) {
        this.name = name;
        this.fault = fault;
        this.kind = kind;
        this.claim = claim;
        this.expectation = expectation;
        this.script = script;
    }

    static long seed(String scenario, int run) {
        return BASE_SEED * 1_000_003L + scenario.hashCode() * 7919L + run;
    }

    /** A duration drawn from the run's seed, so a replay waits exactly as the original did. */
    static Duration between(SplittableRandom rnd, long fromMs, long toMs) {
        return Duration.ofMillis(rnd.nextLong(fromMs, toMs + 1));
    }

    void run(MatrixLab m) {
        Long replay = Long.getLong("chaos.matrix.seed");
        int runs = replay != null ? 1 : ChaosProfile.runs(2, 20);
        List<String> failures = new ArrayList<>();
        List<CheckResult> results = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        List<RunSummary> summaries = new ArrayList<>();
        Path base = ChaosReport.dir().toAbsolutePath();
        for (int i = 1; i <= runs; i++) {
            long seed = replay != null ? replay : seed(name, i);
            long t0 = System.nanoTime();
            Map<String, Double> cost = new LinkedHashMap<>();
            long mark = t0;
            SplittableRandom rnd = new SplittableRandom(seed);
            String label = name + " run " + i + " (seed " + seed + ")";
            ScenarioRun run = null;
            Ctx ctx = null;
            RunData data = null;
            try {
                run = m.newRun(name, i, seed, kind, l1Bound, writerArgs);
                mark = split(cost, "deploy", mark);
                ScenarioRun r0 = run;
                long attached = m.attachedMillis(run.workload().volumeName());
                // the adopted (epoch 1) writer has written (its node is the fault's target), then the seeded rest of the wait
                Awaitility.await("the adopted writer writing").atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                        .until(() -> adoptedWriterWrote(r0.workload().currentRecords(), attached));
                ScenarioRun.let(between(rnd, 500, 1500));
                String node = run.workload().writingNode().orElseThrow(() -> new AssertionError("no writer before the fault"));
                ctx = new Ctx(m, run, node, rnd);
                script.inject(ctx);
                ScenarioRun.let(between(rnd, 1000, 2000));
            } catch (Throwable e) {
                failures.add(label + ": " + e);
                e.printStackTrace(System.out);
            } finally {
                mark = split(cost, run == null || cost.isEmpty() ? "deploy" : "fault", mark);
                m.endRun();
                if (run != null) {
                    try {
                        data = run.finish();
                    } catch (Throwable e) {
                        failures.add(label + ": finishing the run failed: " + e);
                        e.printStackTrace(System.out);
                    }
                }
                mark = split(cost, "stop", mark);
                try {
                    m.restore();
                } catch (Throwable e) {
                    failures.add(label + ": the cluster did not recover for the next run: " + e);
                }
                split(cost, "restore", mark);
            }
            if (data == null) {
                continue;
            }
            CheckResult r = Checker.forRun(data).check(data);
            results.add(r);
            dirs.add(data.dir());
            double wall = (System.nanoTime() - t0) / 1e9;
            RunSummary s = RunSummary.of(seed, data, r, base.relativize(data.dir().toAbsolutePath()).toString(), wall, cost);
            summaries.add(s);
            System.out.printf(java.util.Locale.ROOT, "[matrix] %s: %s in %.1f s %s, relocations %d, recovery %s s — %s%n", label, r.verdict(),
                    wall, cost, s.relocations(), s.recoverySeconds(), r.summary());
            s.timeline().forEach(l -> System.out.println("[matrix]   " + l));
            failures.addAll(verify(label, data, r, ctx == null ? null : ctx.node(), m));
            // after every run, so a long (-Pfull) build that is stopped still leaves a report of the runs it made
            record(failures, results, dirs, summaries, base);
        }
        record(failures, results, dirs, summaries, base);
        if (!failures.isEmpty()) {
            throw new AssertionError(name + ": " + failures.size() + " failure(s):\n  " + String.join("\n  ", failures));
        }
    }

    /**
     * The writer of the newest record wrote at or after the adoption's Attached arrived and has
     * {@link #PRE_FAULT_RECORDS} records: the epoch-1 writer is the one the fault will hit (the
     * adoption replaced the task that ran before, possibly on the other worker).
     */
    static boolean adoptedWriterWrote(List<WriteRecord> records, long attachedMillis) {
        if (records.isEmpty()) {
            return false;
        }
        WriteRecord last = records.get(records.size() - 1);
        return last.time() >= attachedMillis && records.stream().filter(w -> w.writer().equals(last.writer())).count() >= PRE_FAULT_RECORDS;
    }

    /** Records the seconds since {@code mark} under {@code segment}; returns the new mark. */
    private static long split(Map<String, Double> cost, String segment, long mark) {
        long now = System.nanoTime();
        cost.merge(segment, Math.round((now - mark) / 1e7) / 100.0, Double::sum);
        return now;
    }

    private void record(List<String> failures, List<CheckResult> results, List<Path> dirs, List<RunSummary> summaries, Path base) {
        ChaosReport.record(ChaosReport.dir(), ScenarioEntry.of(name, fault, true, expectation, failures.isEmpty() && !results.isEmpty(),
                        results, dirs.stream().map(d -> base.relativize(d.toAbsolutePath())).toList())
                .withMatrix(ScenarioEntry.Matrix.of(claim != Claim.GAP, summaries)));
    }

    /** The claim, per run; an empty list when it held. */
    private List<String> verify(String label, RunData data, CheckResult r, String faultNode, MatrixLab m) {
        List<String> f = new ArrayList<>();
        RunData stored = RunData.load(data.dir());
        CheckResult again = Checker.forRun(stored).check(stored);
        if (!again.equals(r)) {
            f.add(label + ": the stored history re-checks differently: " + again.summary() + " vs " + r.summary());
        }
        check.violations(stored, again, faultNode).forEach(v -> f.add(label + ": " + v));
        List<WriteRecord> records = data.volume().orElse(List.of());
        int moves = RunSummary.relocations(records);
        String volume = data.history().stream().filter(o -> "run".equals(o.f())).findFirst().map(o -> o.str("service") + "-data").orElse("?");
        switch (claim) {
            case SAFE_MOVE -> {
                expect(f, label, r.doubleWriterViolations() == 0 && r.s1().verdict() == Verdict.VALID, "S1", r);
                expect(f, label, r.lostWrites() == 0 && r.d1().verdict() == Verdict.VALID, "D1", r);
                expect(f, label, r.l1().verdict() == Verdict.VALID && !r.recoverySeconds().isEmpty(), "L1 with a recovery time", r);
                expect(f, label, moves >= 1, "a relocation (the writer's node changed)", r);
                expect(f, label, m.maxEpoch(volume) >= 2, "a new epoch on relocator.events (max seen " + m.maxEpoch(volume) + ")", r);
            }
            case NO_MOVE -> {
                expect(f, label, r.verdict() == Verdict.VALID, "every property valid", r);
                expect(f, label, moves == 0 && r.falseRelocations() == 0, "no relocation (" + moves + " seen)", r);
                expect(f, label, m.maxEpoch(volume) == 1, "no epoch above 1 on relocator.events (max seen " + m.maxEpoch(volume) + ")", r);
                List<String> fencing = data.history().stream().filter(o -> "phase".equals(o.f()) && String.valueOf(o.str("phase")).startsWith("Fencing e1"))
                        .map(o -> o.str("phase") + " " + o.str("node")).toList();
                expect(f, label, fencing.isEmpty(), "no Fencing of the attachment (kill nothing), seen " + fencing, r);
            }
            case SAFE_RESTART -> {
                expect(f, label, r.doubleWriterViolations() == 0 && r.s1().verdict() == Verdict.VALID, "S1", r);
                expect(f, label, r.lostWrites() == 0 && r.d1().verdict() == Verdict.VALID, "D1", r);
                expect(f, label, r.l1().verdict() == Verdict.VALID, "L1", r);
            }
            case GAP -> {
                expect(f, label, r.d1().verdict() == Verdict.VALID, "D1 (the shared file keeps every acknowledged write)", r);
                expect(f, label, moves >= 1, "a relocation away from the frozen node", r);
                consistentS1(f, label, data, r, faultNode);
            }
        }
        return f;
    }

    /**
     * Without a safety claim the checker must still tell the truth: a double writer is flagged
     * exactly when the frozen node's writer left a record after the new writer's first one (or
     * their records interleave), and every flagged pair names the frozen node.
     */
    private static void consistentS1(List<String> f, String label, RunData data, CheckResult r, String frozen) {
        List<WriteRecord> rec = data.volume().orElse(List.of());
        Optional<Op> fault = data.history().stream().filter(o -> Op.NEMESIS.equals(o.process()) && Op.INVOKE.equals(o.type())
                && !Checker.HEAL.equals(o.f())).findFirst();
        if (fault.isEmpty() || frozen == null) {
            f.add(label + ": no fault recorded");
            return;
        }
        Optional<String> old = rec.stream().filter(w -> w.time() <= fault.get().time()).reduce((a, b) -> b).map(WriteRecord::writer);
        int firstNew = -1;
        for (int i = 0; i < rec.size(); i++) {
            if (old.isPresent() && !rec.get(i).writer().equals(old.get())) {
                firstNew = i;
                break;
            }
        }
        boolean stale = false;
        if (firstNew >= 0) {
            long newStart = rec.get(firstNew).time();
            for (int i = firstNew; i < rec.size(); i++) {
                stale |= rec.get(i).writer().equals(old.get());
            }
            long oldLast = rec.stream().filter(w -> w.writer().equals(old.get())).mapToLong(WriteRecord::time).max().orElse(0);
            stale |= oldLast > newStart;
        }
        if (stale != (r.s1().verdict() == Verdict.INVALID)) {
            f.add(label + ": S1 says " + r.s1().verdict() + " but the frozen writer " + (stale ? "did" : "did not")
                    + " write after its replacement started: " + r.summary());
        }
        for (CheckResult.Overlap o : r.overlaps()) {
            if (!o.nodeA().equals(frozen) && !o.nodeB().equals(frozen)) {
                f.add(label + ": a double writer that does not involve the frozen node " + frozen + ": " + o);
            }
        }
        System.out.println("[matrix] " + label + ": no safety claimed; the frozen writer " + (stale ? "WROTE" : "did not write")
                + " after its replacement started, and the checker says S1 " + r.s1().verdict());
    }

    private static void expect(List<String> f, String label, boolean ok, String what, CheckResult r) {
        if (!ok) {
            f.add(label + ": expected " + what + ": " + r.summary());
        }
    }
}
