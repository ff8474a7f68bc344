package dev.relocator.chaos.report;

import dev.relocator.chaos.checker.CheckResult;
import dev.relocator.chaos.checker.Checker;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import dev.relocator.chaos.history.WriteRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One run of a matrix scenario as the report shows it: its seed, the checker's counts, how many
 * times the writer changed node, the recovery (fault to the first <em>acknowledged</em> write of a
 * new writer, i.e. of the task started at the new epoch or restarted in place), and a textual
 * timeline (faults, heals, operator phases, writer changes) relative to the first fault.
 *
 * @param recoverySeconds null when no new writer acknowledged a write after the primary fault
 * @param wallSeconds     what the run cost the build, set-up of the next run included (measured, not derived)
 * @param costSeconds     where that wall time went, by segment in the order they ran (e.g. {@code deploy}: the writer
 *                        deployed and adopted, {@code fault}: fault script, {@code stop}: heal, stop, capture,
 *                        {@code restore}: the cluster whole again); measured by the harness, empty when not measured
 */
public record RunSummary(long seed, String verdict, int doubleWriters, int lostWrites, int unknownWrites, int relocations,
                         Double recoverySeconds, double wallSeconds, String runDir, List<String> timeline,
                         Map<String, Double> costSeconds) {

    /** Derived from the stored run (and the measured wall time), so a re-check of the same directory gives the same counts. */
    public static RunSummary of(long seed, RunData run, CheckResult r, String runDir, double wallSeconds) {
        return of(seed, run, r, runDir, wallSeconds, Map.of());
    }

    /** The same, with the measured cost segments of the run ({@code costSeconds}). */
    public static RunSummary of(long seed, RunData run, CheckResult r, String runDir, double wallSeconds, Map<String, Double> costSeconds) {
        List<WriteRecord> records = run.volume().orElse(List.of());
        List<Op> ops = run.history();
        Optional<Op> primary = ops.stream()
                .filter(o -> Op.NEMESIS.equals(o.process()) && Op.INVOKE.equals(o.type()) && !Checker.HEAL.equals(o.f())
                        && !o.flag(Checker.WITHIN_RECOVERY))
                .min(Comparator.comparingLong(Op::time));
        long t0 = primary.map(Op::time).orElseGet(() -> ops.isEmpty() ? 0 : ops.get(0).time());
        Double recovery = primary.flatMap(f -> recovery(f, records, ops)).orElse(null);
        return new RunSummary(seed, r.verdict().name(), r.doubleWriterViolations(), r.lostWrites(), r.unknownWrites(),
                relocations(records), recovery, wallSeconds, runDir, timeline(t0, ops, records),
                java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(costSeconds)));
    }

    /** Node changes of the writer along the file (a restart on the same node is not a relocation). */
    public static int relocations(List<WriteRecord> records) {
        int moves = 0;
        String node = null;
        for (WriteRecord w : records) {
            if (node != null && !node.equals(w.node())) {
                moves++;
            }
            node = w.node();
        }
        return moves;
    }

    private static Optional<Double> recovery(Op fault, List<WriteRecord> records, List<Op> ops) {
        Optional<String> old = records.stream().filter(w -> w.time() <= fault.time()).reduce((a, b) -> b).map(WriteRecord::writer);
        if (old.isEmpty()) {
            return Optional.empty();
        }
        return ops.stream()
                .filter(o -> Checker.WRITE.equals(o.f()) && Op.OK.equals(o.type()) && !o.process().equals(old.get()))
                .map(o -> o.num("time") == null ? o.time() : o.num("time"))
                .filter(t -> t > fault.time())
                .min(Long::compare)
                .map(t -> (t - fault.time()) / 1000.0);
    }

    private static List<String> timeline(long t0, List<Op> ops, List<WriteRecord> records) {
        record Line(long time, String text) {
        }
        List<Line> lines = new ArrayList<>();
        for (Op o : ops) {
            if (Op.NEMESIS.equals(o.process()) && !Op.INVOKE.equals(o.type())) {
                String what = Checker.HEAL.equals(o.f()) ? "heal " + o.str("fault") : o.f();
                lines.add(new Line(o.time(), what + " " + o.str("node") + (Op.OK.equals(o.type()) ? "" : " (" + o.type() + ": "
                        + o.str("error") + ")") + (o.value().containsKey("phase") ? " at phase " + o.str("phase") : "")));
            } else if ("phase".equals(o.f())) {
                lines.add(new Line(o.time(), "phase " + o.str("phase") + " " + o.str("node")));
            } else if (Op.HARNESS.equals(o.process()) && !"run".equals(o.f())) {
                lines.add(new Line(o.time(), "harness " + o.f() + (o.value().isEmpty() ? "" : " " + o.value())));
            }
        }
        String writer = null;
        WriteRecord last = null;
        for (WriteRecord w : records) {
            if (!w.writer().equals(writer)) {
                if (last != null) {
                    lines.add(new Line(last.time(), "last record of writer " + last.writer() + " on " + last.node()));
                }
                lines.add(new Line(w.time(), "first record of writer " + w.writer() + " on " + w.node()));
                writer = w.writer();
            }
            last = w;
        }
        if (last != null) {
            lines.add(new Line(last.time(), "last record of writer " + last.writer() + " on " + last.node()));
        }
        lines.sort(Comparator.comparingLong(Line::time));
        return lines.stream().map(l -> String.format(java.util.Locale.ROOT, "%+.2f s %s", (l.time() - t0) / 1000.0, l.text())).toList();
    }
}
