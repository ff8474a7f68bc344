package dev.relocator.chaos.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.relocator.chaos.checker.CheckResult;
import dev.relocator.chaos.checker.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One scenario in {@code chaos-report.json}.
 *
 * @param valid       whether every run was checked valid (a negative control is expected to be false)
 * @param expectation what the scenario must show, in words
 * @param expectationMet whether it did (a negative control meets it by being flagged)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScenarioEntry(String name, String fault, boolean operator, int runs, int doubleWriterViolations, int lostWrites,
                            int unknownWrites, int falseRelocations, Recovery recoverySeconds, boolean valid, String expectation,
                            boolean expectationMet, List<String> verdicts, List<String> runDirs, Matrix matrix) {

    /**
     * What the matrix adds per scenario: whether the design claims safety for it, the writer's node
     * changes over all runs, the recovery to the first acknowledged write of the new writer, and one
     * summary (seed, counts, timeline) per run.
     */
    public record Matrix(boolean safetyClaimed, int relocations, Recovery recoveryToAckSeconds, List<RunSummary> runs) {

        public static Matrix of(boolean safetyClaimed, List<RunSummary> runs) {
            List<Double> rec = runs.stream().map(RunSummary::recoverySeconds).filter(java.util.Objects::nonNull).toList();
            return new Matrix(safetyClaimed, runs.stream().mapToInt(RunSummary::relocations).sum(), recovery(rec), List.copyOf(runs));
        }
    }

    public ScenarioEntry withMatrix(Matrix m) {
        return new ScenarioEntry(name, fault, operator, runs, doubleWriterViolations, lostWrites, unknownWrites, falseRelocations,
                recoverySeconds, valid, expectation, expectationMet, verdicts, runDirs, m);
    }

    public record Recovery(Double p50, Double p99, Double max) {
    }

    public static ScenarioEntry of(String name, String fault, boolean operator, String expectation, boolean expectationMet,
                                   List<CheckResult> results, List<Path> dirs) {
        int dw = 0;
        int lost = 0;
        int unknown = 0;
        int falseMoves = 0;
        boolean valid = !results.isEmpty();
        List<Double> rec = new ArrayList<>();
        List<String> verdicts = new ArrayList<>();
        for (CheckResult r : results) {
            dw += r.doubleWriterViolations();
            lost += r.lostWrites();
            unknown += r.unknownWrites();
            falseMoves += r.falseRelocations();
            rec.addAll(r.recoverySeconds());
            valid &= r.verdict() == Verdict.VALID;
            verdicts.add(r.verdict() + ": " + r.summary());
        }
        return new ScenarioEntry(name, fault, operator, results.size(), dw, lost, unknown, falseMoves, recovery(rec), valid,
                expectation, expectationMet, verdicts, dirs.stream().map(Path::toString).toList(), null);
    }

    static Recovery recovery(List<Double> values) {
        if (values.isEmpty()) {
            return new Recovery(null, null, null);
        }
        List<Double> s = new ArrayList<>(values);
        s.sort(Double::compare);
        return new Recovery(percentile(s, 0.50), percentile(s, 0.99), s.get(s.size() - 1));
    }

    /** Nearest-rank percentile. */
    static double percentile(List<Double> sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
