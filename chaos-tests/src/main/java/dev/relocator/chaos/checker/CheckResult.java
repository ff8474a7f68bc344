package dev.relocator.chaos.checker;

import java.util.List;

/**
 * The checker's answer for one run: a verdict per property, the counts the report needs,
 * and the evidence behind each invalid verdict.
 */
public record CheckResult(
        Property s1,
        Property d1,
        Property l1,
        Property l2,
        int doubleWriterViolations,
        int lostWrites,
        int unknownWrites,
        int falseRelocations,
        List<Double> recoverySeconds,
        List<Overlap> overlaps,
        List<String> lostKeys) {

    public record Property(Verdict verdict, String detail) {
    }

    /** Two writers whose records interleave in the file or whose write periods overlap in time. */
    public record Overlap(String writerA, String nodeA, String writerB, String nodeB, long fromMs, long toMs,
                          boolean interleavedInFile) {
    }

    public Verdict verdict() {
        return s1.verdict().and(d1.verdict()).and(l1.verdict()).and(l2.verdict());
    }

    public String summary() {
        return "S1 " + s1.verdict() + " (" + s1.detail() + "); D1 " + d1.verdict() + " (" + d1.detail()
                + "); L1 " + l1.verdict() + " (" + l1.detail() + "); L2 " + l2.verdict() + " (" + l2.detail() + ")";
    }
}
