package dev.relocator.chaos.checker;

import dev.relocator.chaos.checker.CheckResult.Overlap;
import dev.relocator.chaos.checker.CheckResult.Property;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import dev.relocator.chaos.history.WriteRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a run (history + final volume content) and answers valid / invalid / unknown for
 * S1 single writer, D1 no lost acknowledged writes, L1 recovery time per fault and L2 relocations
 * that should not have happened. Pure: no Docker, no clock; the same input gives the same answer.
 *
 * <p>Conventions of the history it reads:
 * <ul>
 *   <li>client ops: process = writer id, f = {@code write}; {@code invoke} before the append,
 *       {@code ok} after the append was fdatasync'ed (an acknowledged write), no completion = unknown;</li>
 *   <li>faults: process = {@code nemesis}, type {@code invoke}, f = the fault name, value
 *       {@code expectRelocation} (boolean) — heals are f = {@code heal} and are not faults.</li>
 * </ul>
 */
public final class Checker {

    public static final String WRITE = "write";
    public static final String HEAL = "heal";
    public static final String EXPECT_RELOCATION = "expectRelocation";
    /**
     * A fault marked {@code withinRecovery=true} is injected while the system recovers from an
     * earlier fault (the operator killed during Fencing, Kafka stopped during a relocation): it is
     * drawn and checked for S1/D1 like any fault, but it is not a starting point of L1, so the
     * recovery stays measured from the fault that caused it.
     */
    public static final String WITHIN_RECOVERY = "withinRecovery";

    private final Duration l1Bound;
    private final Duration continuitySlack;
    private final Duration l2Window;

    /**
     * @param l1Bound          a fault not followed by a new writer within this bound violates L1
     * @param continuitySlack  a writer that still writes this long after a fault survived it
     * @param l2Window         how long after a no-move fault (or its heal) a move still counts as caused by it
     */
    public Checker(Duration l1Bound, Duration continuitySlack, Duration l2Window) {
        if (l1Bound.isNegative() || l1Bound.isZero() || continuitySlack.isNegative() || l2Window.isNegative()) {
            throw new IllegalArgumentException("checker bounds must be positive: l1Bound=" + l1Bound
                    + ", continuitySlack=" + continuitySlack + ", l2Window=" + l2Window);
        }
        this.l1Bound = l1Bound;
        this.continuitySlack = continuitySlack;
        this.l2Window = l2Window;
    }

    public static Checker defaults() {
        return new Checker(Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    /**
     * The history's {@code run} op value that overrides the L1 bound for that run, in seconds: a
     * scenario whose recovery includes an operator restart or a Raft election states its own
     * bound when it runs, so a later re-check applies the same one.
     */
    public static final String L1_BOUND_SECONDS = "l1BoundSeconds";

    /** The defaults, with the L1 bound the run recorded for itself if it did. */
    public static Checker forRun(RunData run) {
        return run.history().stream().filter(o -> Op.HARNESS.equals(o.process()) && "run".equals(o.f()) && o.value().containsKey(L1_BOUND_SECONDS))
                .findFirst()
                .map(o -> new Checker(Duration.ofSeconds(o.num(L1_BOUND_SECONDS)), Duration.ofSeconds(1), Duration.ofSeconds(30)))
                .orElseGet(Checker::defaults);
    }

    public CheckResult check(RunData run) {
        return check(run.history(), run.volume());
    }

    public CheckResult check(List<Op> history, Optional<List<WriteRecord>> volume) {
        List<WriteRecord> records = volume.orElse(List.of());
        List<Op> acks = history.stream()
                .filter(o -> WRITE.equals(o.f()) && Op.OK.equals(o.type()))
                .toList();
        Map<String, Span> spans = spans(records, acks);
        long end = Math.max(
                history.stream().mapToLong(Op::time).max().orElse(0),
                records.stream().mapToLong(WriteRecord::time).max().orElse(0));

        List<Overlap> overlaps = overlaps(spans);
        Property s1 = spans.isEmpty()
                ? new Property(Verdict.UNKNOWN, "no write was observed")
                : overlaps.isEmpty()
                        ? new Property(Verdict.VALID, spans.size() + " writer(s), none concurrent")
                        : new Property(Verdict.INVALID, overlaps.size() + " pair(s) of concurrent writers, first: "
                                + describe(overlaps.get(0)));

        List<String> lost = new ArrayList<>();
        Property d1;
        if (volume.isEmpty()) {
            d1 = new Property(Verdict.UNKNOWN, "final volume content was not captured; " + acks.size() + " acknowledged write(s) unverified");
        } else {
            Set<String> present = new HashSet<>();
            records.forEach(r -> present.add(r.key()));
            for (Op a : acks) {
                String key = a.process() + "#" + a.num("seq");
                if (!present.contains(key)) {
                    lost.add(key);
                }
            }
            d1 = lost.isEmpty()
                    ? new Property(Verdict.VALID, acks.size() + " acknowledged write(s), all on the volume")
                    : new Property(Verdict.INVALID, lost.size() + " of " + acks.size() + " acknowledged write(s) missing from the volume, first: " + lost.get(0));
        }
        int unknownWrites = unknownWrites(history);

        List<Op> faults = history.stream()
                .filter(o -> Op.NEMESIS.equals(o.process()) && Op.INVOKE.equals(o.type()) && !HEAL.equals(o.f())
                        && !o.flag(WITHIN_RECOVERY))
                .sorted(Comparator.comparingLong(Op::time))
                .toList();
        List<WriteRecord> timeline = timeline(records, acks);
        List<Double> recoveries = new ArrayList<>();
        Verdict l1v = Verdict.VALID;
        StringBuilder l1d = new StringBuilder();
        int falseRelocations = 0;
        StringBuilder l2d = new StringBuilder();
        int noMoveFaults = 0;
        for (int fi = 0; fi < faults.size(); fi++) {
            Op fault = faults.get(fi);
            // a writer that appears after the next fault is that fault's recovery, not this one's
            long until = fi + 1 < faults.size() ? faults.get(fi + 1).time() : Long.MAX_VALUE;
            Optional<WriteRecord> before = timeline.stream().filter(r -> r.time() <= fault.time()).reduce((a, b) -> b);
            if (before.isEmpty()) {
                l1v = l1v.and(Verdict.UNKNOWN);
                l1d.append(fault.f()).append(": no writer before the fault; ");
                continue;
            }
            WriteRecord old = before.get();
            Optional<WriteRecord> next = timeline.stream()
                    .filter(r -> r.time() > fault.time() && r.time() <= until && !r.writer().equals(old.writer()))
                    .findFirst();
            boolean oldContinued = timeline.stream()
                    .anyMatch(r -> r.writer().equals(old.writer()) && r.time() > fault.time() + continuitySlack.toMillis());
            if (next.isPresent()) {
                double s = (next.get().time() - fault.time()) / 1000.0;
                recoveries.add(s);
                if (s > l1Bound.toMillis() / 1000.0) {
                    l1v = Verdict.INVALID;
                    l1d.append(fault.f()).append(": new writer after ").append(s).append(" s > bound; ");
                } else {
                    l1d.append(fault.f()).append(": new writer on ").append(next.get().node()).append(" after ").append(s).append(" s; ");
                }
            } else if (oldContinued) {
                l1d.append(fault.f()).append(": writer on ").append(old.node()).append(" kept writing; ");
            } else if (Math.min(end, until) - fault.time() >= l1Bound.toMillis()) {
                l1v = Verdict.INVALID;
                l1d.append(fault.f()).append(": no writer for ").append((Math.min(end, until) - fault.time()) / 1000.0).append(" s; ");
            } else if (until != Long.MAX_VALUE) {
                l1v = l1v.and(Verdict.UNKNOWN);
                l1d.append(fault.f()).append(": no new writer before the next fault; ");
            } else {
                l1v = l1v.and(Verdict.UNKNOWN);
                l1d.append(fault.f()).append(": no writer yet, observed only ").append((end - fault.time()) / 1000.0).append(" s; ");
            }

            if (fault.value().containsKey(EXPECT_RELOCATION) && !fault.flag(EXPECT_RELOCATION)) {
                noMoveFaults++;
                // a move after the next fault is blamed on that fault, not on this one
                long windowEnd = Math.min(until, healTime(history, fault).orElse(fault.time()) + l2Window.toMillis());
                Optional<WriteRecord> moved = timeline.stream()
                        .filter(r -> r.time() > fault.time() && r.time() <= windowEnd
                                && !r.writer().equals(old.writer()) && !r.node().equals(old.node()))
                        .findFirst();
                if (moved.isPresent()) {
                    falseRelocations++;
                    l2d.append(fault.f()).append(": moved from ").append(old.node()).append(" to ").append(moved.get().node()).append("; ");
                }
            }
        }
        if (faults.isEmpty()) {
            l1d.append("no fault");
        }
        Property l1 = new Property(l1v, l1d.toString().strip());
        Property l2 = falseRelocations > 0
                ? new Property(Verdict.INVALID, falseRelocations + " false relocation(s): " + l2d.toString().strip())
                : new Property(Verdict.VALID, noMoveFaults == 0 ? "no fault that must keep the writer in place" : noMoveFaults + " fault(s), nothing moved");

        return new CheckResult(s1, d1, l1, l2, overlaps.size(), lost.size(), unknownWrites, falseRelocations,
                List.copyOf(recoveries), List.copyOf(overlaps), List.copyOf(lost));
    }

    private static Optional<Long> healTime(List<Op> history, Op fault) {
        return history.stream()
                .filter(o -> Op.NEMESIS.equals(o.process()) && HEAL.equals(o.f()) && o.time() >= fault.time()
                        && fault.f().equals(o.str("fault")))
                .map(Op::time)
                .findFirst();
    }

    private static int unknownWrites(List<Op> history) {
        Set<String> completed = new HashSet<>();
        List<String> invoked = new ArrayList<>();
        for (Op o : history) {
            if (!WRITE.equals(o.f())) {
                continue;
            }
            String key = o.process() + "#" + o.num("seq");
            if (Op.INVOKE.equals(o.type())) {
                invoked.add(key);
            } else {
                completed.add(key);
            }
        }
        return (int) invoked.stream().filter(k -> !completed.contains(k)).count();
    }

    /** Records on the volume plus acknowledged writes (which may be missing from the volume), by time. */
    private static List<WriteRecord> timeline(List<WriteRecord> records, List<Op> acks) {
        Map<String, WriteRecord> all = new LinkedHashMap<>();
        records.forEach(r -> all.putIfAbsent(r.key(), r));
        for (Op a : acks) {
            WriteRecord r = ackRecord(a);
            all.putIfAbsent(r.key(), r);
        }
        List<WriteRecord> list = new ArrayList<>(all.values());
        list.sort(Comparator.comparingLong(WriteRecord::time));
        return list;
    }

    private static WriteRecord ackRecord(Op a) {
        Long t = a.num("time");
        return new WriteRecord(a.process(), a.str("container"), a.str("node"), a.num("seq"), t == null ? a.time() : t);
    }

    static final class Span {
        final String writer;
        final String node;
        long firstTime = Long.MAX_VALUE;
        long lastTime = Long.MIN_VALUE;
        int firstIndex = Integer.MAX_VALUE;
        int lastIndex = Integer.MIN_VALUE;

        Span(String writer, String node) {
            this.writer = writer;
            this.node = node;
        }

        void time(long t) {
            firstTime = Math.min(firstTime, t);
            lastTime = Math.max(lastTime, t);
        }
    }

    private static Map<String, Span> spans(List<WriteRecord> records, List<Op> acks) {
        Map<String, Span> spans = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            WriteRecord r = records.get(i);
            Span s = spans.computeIfAbsent(r.writer(), w -> new Span(w, r.node()));
            s.time(r.time());
            s.firstIndex = Math.min(s.firstIndex, i);
            s.lastIndex = Math.max(s.lastIndex, i);
        }
        for (Op a : acks) {
            WriteRecord r = ackRecord(a);
            spans.computeIfAbsent(r.writer(), w -> new Span(w, r.node())).time(r.time());
        }
        return spans;
    }

    /**
     * Two writers are concurrent when their records interleave in the file (clock-free evidence:
     * appends to one file are ordered by the kernel) or when their write periods overlap in time.
     */
    private static List<Overlap> overlaps(Map<String, Span> spans) {
        List<Span> list = new ArrayList<>(spans.values());
        list.sort(Comparator.comparingLong(s -> s.firstTime));
        List<Overlap> result = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            for (int j = i + 1; j < list.size(); j++) {
                Span a = list.get(i);
                Span b = list.get(j);
                boolean inFile = a.firstIndex != Integer.MAX_VALUE && b.firstIndex != Integer.MAX_VALUE
                        && a.firstIndex < b.lastIndex && b.firstIndex < a.lastIndex;
                boolean inTime = a.firstTime < b.lastTime && b.firstTime < a.lastTime;
                if (inFile || inTime) {
                    result.add(new Overlap(a.writer, a.node, b.writer, b.node,
                            Math.max(a.firstTime, b.firstTime), Math.min(a.lastTime, b.lastTime), inFile));
                }
            }
        }
        return result;
    }

    private static String describe(Overlap o) {
        return o.writerA() + "@" + o.nodeA() + " and " + o.writerB() + "@" + o.nodeB() + " for "
                + Math.max(0, o.toMs() - o.fromMs()) / 1000.0 + " s" + (o.interleavedInFile() ? ", interleaved in the file" : "");
    }
}
