package dev.relocator.chaos.bench;

import dev.relocator.chaos.checker.Checker;
import dev.relocator.chaos.history.Op;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Who was writing when the fault hit, and the first <em>acknowledged</em> write of a different
 * writer after it: the failover time of the benchmarks (fault → first ok of the new writer, from
 * the writers' own acknowledgements in the history). The checker's L1 recovery uses the first
 * record on the volume instead; the acknowledgement is what a client of the workload sees.
 *
 * @param oldWriter  the writer of the last acknowledged write at or before the fault
 * @param newWriter  the first other writer acknowledging a write after the fault
 * @param millis     fault → that acknowledgement
 */
public record Takeover(String oldWriter, String oldNode, String newWriter, String newNode, long faultMillis, long millis) {

    /** Empty when nobody wrote before the fault or no other writer acknowledged a write after it. */
    public static Optional<Takeover> find(List<Op> history, long faultMillis) {
        return find(history, faultMillis, null);
    }

    /**
     * As {@link #find(List, long)}, with the new writer on another node than {@code faultNode} (when not null): a
     * crash or partition takes that node away, so a second process there acknowledging a write just after the
     * fault was issued (a restart in place racing it; one 6 ms "takeover" in the 3-manager bench) is no failover.
     */
    public static Optional<Takeover> find(List<Op> history, long faultMillis, String faultNode) {
        List<Op> acks = history.stream()
                .filter(o -> Checker.WRITE.equals(o.f()) && Op.OK.equals(o.type()))
                .sorted(Comparator.comparingLong(Op::time))
                .toList();
        Optional<Op> old = acks.stream().filter(a -> a.time() <= faultMillis).reduce((a, b) -> b);
        if (old.isEmpty()) {
            return Optional.empty();
        }
        return acks.stream()
                .filter(a -> a.time() > faultMillis && !a.process().equals(old.get().process())
                        && (faultNode == null || !faultNode.equals(a.str("node"))))
                .findFirst()
                .map(n -> new Takeover(old.get().process(), old.get().str("node"), n.process(), n.str("node"), faultMillis,
                        n.time() - faultMillis));
    }

    /** The time of the first nemesis invocation of {@code fault} in the history. */
    public static Optional<Long> faultTime(List<Op> history, String fault) {
        return history.stream()
                .filter(o -> Op.NEMESIS.equals(o.process()) && Op.INVOKE.equals(o.type()) && fault.equals(o.f()))
                .map(Op::time)
                .min(Long::compare);
    }
}
