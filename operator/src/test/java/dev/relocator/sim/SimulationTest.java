package dev.relocator.sim;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the real controller and agents in the deterministic simulation over many seeds and checks
 * S1 (single writer), S2 (kill before start), S3 (epochs), L1 (liveness after one fault) and L2
 * (no false moves) after every step.
 *
 * <p>{@code -Dsim.seeds=N} sets how many seeds (default 20 000); {@code -Dsim.seed=N} replays one seed
 * and prints its trace; {@code -Dsim.threads=N} sets the parallelism (default: available processors).
 */
class SimulationTest {

    private static final int SEEDS = Integer.getInteger("sim.seeds", 20_000);

    record Outcome(long seed, Scenario scenario, long steps, String violation, String trace, long hash, long relocations,
                   long mirrorRefusals, long staleRejected, long swarmBumps, long inFlightStarts, DayTwo dayTwo) {
    }

    /** Day-2 figures of one seed: operations, planned moves started, refusals, holds, hook outcomes, downtimes. */
    record DayTwo(long ops, long plannedMoves, long moveRefusals, long holds, long hookRequests, long hookFailures,
                  long fenceResets, long downtimes, long downtimeSumMs, long downtimeMaxMs) {
        DayTwo plus(DayTwo o) {
            return new DayTwo(ops + o.ops, plannedMoves + o.plannedMoves, moveRefusals + o.moveRefusals, holds + o.holds,
                    hookRequests + o.hookRequests, hookFailures + o.hookFailures, fenceResets + o.fenceResets,
                    downtimes + o.downtimes, downtimeSumMs + o.downtimeSumMs, Math.max(downtimeMaxMs, o.downtimeMaxMs));
        }

        String json() {
            return "{\"ops\":" + ops + ",\"plannedMoves\":" + plannedMoves + ",\"moveRefusals\":" + moveRefusals
                    + ",\"holds\":" + holds + ",\"hookRequests\":" + hookRequests + ",\"hookFailures\":" + hookFailures
                    + ",\"fenceResets\":" + fenceResets + ",\"relocationsWithDowntime\":" + downtimes
                    + ",\"downtimeMeanMs\":" + (downtimes == 0 ? 0 : downtimeSumMs / downtimes)
                    + ",\"downtimeMaxMs\":" + downtimeMaxMs + "}";
        }
    }

    static Outcome runSeed(long seed, Variant variant) {
        Sim sim = new Sim(seed, variant).run();
        return new Outcome(seed, sim.scenario, sim.steps, sim.violation, sim.violation == null ? "" : sim.traceTail(),
                sim.traceHash, sim.relocations, sim.mirrorRefusals, sim.staleRejected, sim.swarmBumps, sim.inFlightStarts,
                new DayTwo(sim.ops, sim.plannedMoves, sim.moveRefusals, sim.holds, sim.hookRequests, sim.hookFailures,
                        sim.fenceResets, sim.downtimeCount, sim.downtimeSumMs, sim.downtimeMaxMs));
    }

    @Test
    void allSeedsKeepTheInvariants() throws Exception {
        String one = System.getProperty("sim.seed");
        if (one != null) {
            Outcome o = runSeed(Long.parseLong(one), Variant.CORRECT);
            System.out.println("seed " + one + " (" + o.scenario() + "): " + (o.violation() == null ? "ok" : o.violation()));
            System.out.println(new Sim(Long.parseLong(one), Variant.CORRECT).run().traceTail());
            assertTrue(o.violation() == null, o.violation());
            return;
        }
        long t0 = System.nanoTime();
        List<Outcome> outcomes = runMany(0, SEEDS, Variant.CORRECT, false);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long steps = outcomes.stream().mapToLong(Outcome::steps).sum();
        List<Outcome> bad = outcomes.stream().filter(o -> o.violation() != null).toList();
        long[] perScenario = new long[Scenario.values().length];
        outcomes.forEach(o -> perScenario[o.scenario().ordinal()]++);
        long relocations = outcomes.stream().mapToLong(Outcome::relocations).sum();
        long refusals = outcomes.stream().mapToLong(Outcome::mirrorRefusals).sum();
        long stale = outcomes.stream().mapToLong(Outcome::staleRejected).sum();
        long bumps = outcomes.stream().mapToLong(Outcome::swarmBumps).sum();
        long inFlight = outcomes.stream().mapToLong(Outcome::inFlightStarts).sum();
        DayTwo d2 = outcomes.stream().map(Outcome::dayTwo).reduce(new DayTwo(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), DayTwo::plus);
        writeReport(outcomes.size(), steps, bad, ms, perScenario, relocations, refusals, stale, d2);
        if (System.getProperty("sim.hashes") != null) {
            StringBuilder b = new StringBuilder();
            outcomes.forEach(o -> b.append(o.seed()).append(' ').append(Long.toHexString(o.hash())).append('\n'));
            Files.writeString(Path.of(System.getProperty("sim.hashes")), b.toString());
        }
        long traces = outcomes.stream().mapToLong(Outcome::hash).reduce(17, (a, b) -> a * 31 + b);
        System.out.printf("simulation: %d seeds, %d steps, %d violations, %d ms, %d relocations, %d mirror refusals, "
                + "%d stale CAS rejected, %d version bumps by Swarm itself, %d in-flight restarts, per scenario %s, trace"
                + " digest %016x%nday-2: %s%n", outcomes.size(), steps, bad.size(), ms, relocations, refusals, stale, bumps,
                inFlight, java.util.Arrays.toString(perScenario), traces, d2.json());
        if (!bad.isEmpty()) {
            bad.stream().limit(40).forEach(o -> System.out.println("  seed " + o.seed() + " " + o.scenario() + ": "
                    + o.violation()));
            Outcome first = bad.get(0);
            fail(bad.size() + " violating seeds, first seed " + first.seed() + " (" + first.scenario() + "): "
                    + first.violation() + "\nreplay: mvn -pl operator test -Dtest=SimulationTest -Dsim.seed="
                    + first.seed() + "\ntrace:\n" + first.trace());
        }
    }

    /** Negative control: without the peer-majority mirror the checker must find a double writer. */
    @Test
    void checkerCatchesAControllerWithoutThePeerMajorityMirror() throws Exception {
        assertCaught(Variant.NO_PEER_MIRROR);
    }

    /** Negative control: starting on two missed heartbeats (before the lease is surely gone) must be caught. */
    @Test
    void checkerCatchesAControllerThatStartsBeforeTheFence() throws Exception {
        assertCaught(Variant.START_BEFORE_FENCE);
    }

    /** Negative control: a planned move that does not wait for the source's confirmation must be caught. */
    @Test
    void checkerCatchesAPlannedMoveWithoutTheSourcesConfirmation() throws Exception {
        assertCaught(Variant.PLANNED_MOVE_UNCONFIRMED);
    }

    /** Negative control: a failed or timed-out fence hook read as a power-off must be caught. */
    @Test
    void checkerCatchesAFailedHookTakenAsEvidence() throws Exception {
        assertCaught(Variant.FAILED_HOOK_AS_EVIDENCE);
    }

    private static final int HANDOVER_SEEDS = Integer.getInteger("sim.handoverSeeds", 3_000);

    /**
     * Operator updates: agents replaced with the lease hand-over, the node lost or the controller failing over
     * during the gap. S1–S3 always; no kill and no move when nothing else happens (L2); relocation within
     * lease + extension when the node is lost. The seeds must really hand over and really relocate.
     */
    @Test
    void handOverSeedsKeepTheInvariants() {
        long handovers = 0;
        long relocations = 0;
        for (long seed = 0; seed < HANDOVER_SEEDS; seed++) {
            Sim s = new Sim(seed, Variant.CORRECT, Scenario.HANDOVER, null).run();
            assertTrue(s.violation == null, "seed " + seed + " (HANDOVER): " + s.violation + "\nreplay: new Sim(" + seed
                    + ", Variant.CORRECT, Scenario.HANDOVER, null)\n" + s.traceTail());
            handovers += s.handovers;
            relocations += s.relocations;
        }
        System.out.printf("simulation HANDOVER: %d seeds, %d hand-overs granted, %d relocations%n", HANDOVER_SEEDS, handovers, relocations);
        assertTrue(handovers > HANDOVER_SEEDS / 2, "most seeds hand over: " + handovers);
        assertTrue(relocations > 0, "the seeds that lose the node during the hand-over relocate");
    }

    /** Negative control: an extension acked to the agent but not honoured by the controller's lease expiry. */
    @Test
    void checkerCatchesAHandOverTheControllerDoesNotHonour() {
        assertHandoverCaught(Variant.HANDOVER_NOT_HONOURED);
    }

    /** Negative control: a stopping agent that extends its own lease without the controller's grant. */
    @Test
    void checkerCatchesAHandOverWithoutTheControllersGrant() {
        assertHandoverCaught(Variant.HANDOVER_UNACKNOWLEDGED);
    }

    private static void assertHandoverCaught(Variant v) {
        for (long seed = 0; seed < HANDOVER_SEEDS; seed++) {
            Sim s = new Sim(seed, v, Scenario.HANDOVER, null).run();
            if (safety(s.violation)) {
                System.out.printf("negative control %s: first safety violation at seed %d: %s%n", v, seed, s.violation);
                return;
            }
        }
        fail(v + " was not caught in " + HANDOVER_SEEDS + " HANDOVER seeds: the checker is blind to it");
    }

    /**
     * The day-2 seeds exercise what they claim: planned moves started and refused, holds, hook
     * failures and resets (a checker that never sees them proves nothing about them).
     */
    @Test
    void dayTwoSeedsExerciseMovesHoldsAndTheHook() {
        DayTwo d = new DayTwo(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        for (long seed = 0; seed < 400; seed++) {
            Sim s = new Sim(seed, Variant.CORRECT).run();
            assertTrue(s.violation == null, "seed " + seed + ": " + s.violation + "\n" + s.traceTail());
            d = d.plus(runSeedFigures(s));
        }
        assertTrue(d.plannedMoves() > 0 && d.moveRefusals() > 0 && d.holds() > 0, d.json());
        assertTrue(d.hookRequests() > 0 && d.hookFailures() > 0 && d.fenceResets() > 0, d.json());
        assertTrue(d.downtimes() > 0 && d.downtimeMaxMs() > 0, d.json());
    }

    private static DayTwo runSeedFigures(Sim sim) {
        return new DayTwo(sim.ops, sim.plannedMoves, sim.moveRefusals, sim.holds, sim.hookRequests, sim.hookFailures,
                sim.fenceResets, sim.downtimeCount, sim.downtimeSumMs, sim.downtimeMaxMs);
    }

    private void assertCaught(Variant v) throws Exception {
        List<Outcome> outcomes = runMany(0, SEEDS, v, true);
        Outcome caught = outcomes.stream().filter(o -> safety(o.violation())).findFirst().orElse(null);
        assertTrue(caught != null, v + " was not caught in " + SEEDS + " seeds: the checker is blind to it");
        long flagged = outcomes.stream().filter(o -> o.seed() <= caught.seed() && o.violation() != null).count();
        System.out.printf("negative control %s: first safety violation at seed %d (%s) after %d seeds (%d seeds flagged"
                        + " up to there): %s%n", v, caught.seed(), caught.scenario(), caught.seed() + 1, flagged,
                caught.violation());
    }

    private static boolean safety(String violation) {
        return violation != null && (violation.startsWith("S1") || violation.startsWith("S2") || violation.startsWith("S3"));
    }

    @Test
    void aSeedReplaysExactly() {
        for (long seed : new long[]{7, 4242, 99_991}) {
            Sim a = new Sim(seed, Variant.CORRECT).run();
            Sim b = new Sim(seed, Variant.CORRECT).run();
            assertEquals(a.traceTail(), b.traceTail());
            assertEquals(a.traceHash, b.traceHash, "trace hash of seed " + seed);
            assertEquals(a.steps, b.steps, "steps of seed " + seed);
            assertTrue(a.traceLines > 5, "the trace records the run");
        }
    }

    /**
     * The documented gap: a node frozen longer than its lease, with no external fence, keeps a
     * paused writer that resumes after the move. The checker must flag it (and the FREEZE seeds of
     * the main run, which use the external fence, must not).
     */
    @Test
    void aLongFreezeWithoutExternalFenceIsTheKnownGap() {
        int flagged = 0;
        for (long seed = 0; seed < 60; seed++) {
            Sim s = new Sim(seed, Variant.CORRECT, Scenario.FREEZE, false).run();
            if (s.violation != null && s.violation.startsWith("S1")) {
                flagged++;
            }
        }
        assertTrue(flagged > 0, "a freeze longer than the lease without an external fence must show up as S1");
    }

    /**
     * Regression: before the evidence was keyed to the controller revision, these seeds (the simulated
     * Swarm bumping the version by itself after each update, as the real one does) never got past
     * Fencing although the source was reachable and ran no writer: the agent's report always lagged
     * Swarm's version. 128, 156, 227, 1034 adopt a running workload (flagged by the 12 s L1 check);
     * 125 (OUTAGE) and 182 (CHAOS, the second volume) relocate after the steady state (flagged by the
     * L1 progress check).
     */
    @Test
    void relocationsCompleteWhileSwarmMovesTheVersionByItself() {
        for (long seed : new long[]{128, 156, 227, 1034, 125, 182}) {
            Sim s = new Sim(seed, Variant.CORRECT).run();
            assertTrue(s.violation == null, "seed " + seed + ": " + s.violation + "\n" + s.traceTail());
            assertTrue(s.swarmBumps > 0, "seed " + seed + " must exercise Swarm's own version bumps");
        }
    }

    static List<Outcome> runMany(long from, int count, Variant variant, boolean stopAtFirst) throws Exception {
        int threads = Integer.getInteger("sim.threads", Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong found = new AtomicLong(Long.MAX_VALUE);
        try {
            List<Future<Outcome>> fs = new ArrayList<>();
            for (long seed = from; seed < from + count; seed++) {
                long s = seed;
                fs.add(pool.submit(() -> {
                    if (stopAtFirst && s > found.get()) {
                        return null;
                    }
                    Outcome o = runSeed(s, variant);
                    if (stopAtFirst && safety(o.violation())) {
                        found.accumulateAndGet(s, Math::min);
                    }
                    return o;
                }));
            }
            List<Outcome> out = new ArrayList<>();
            for (Future<Outcome> f : fs) {
                Outcome o = f.get();
                if (o != null) {
                    out.add(o);
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void writeReport(int seeds, long steps, List<Outcome> bad, long ms, long[] perScenario,
                                    long relocations, long refusals, long stale, DayTwo d2) throws IOException {
        StringBuilder v = new StringBuilder("[");
        for (int i = 0; i < bad.size(); i++) {
            Outcome o = bad.get(i);
            v.append(i == 0 ? "" : ",").append("{\"seed\":").append(o.seed()).append(",\"scenario\":\"")
                    .append(o.scenario()).append("\",\"violation\":\"").append(json(o.violation())).append("\"}");
        }
        v.append(']');
        StringBuilder sc = new StringBuilder("{");
        for (Scenario s : Scenario.values()) {
            sc.append(s.ordinal() == 0 ? "" : ",").append('"').append(s).append("\":").append(perScenario[s.ordinal()]);
        }
        sc.append('}');
        String json = "{\"seeds\":" + seeds + ",\"steps\":" + steps + ",\"violations\":" + v + ",\"millis\":" + ms
                + ",\"scenarios\":" + sc + ",\"relocations\":" + relocations + ",\"mirrorRefusals\":" + refusals
                + ",\"staleCasRejected\":" + stale + ",\"dayTwo\":" + d2.json() + "}\n";
        Path p = Path.of("target", "simulation-report.json");
        Files.createDirectories(p.getParent());
        Files.writeString(p, json);
    }

    private static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
