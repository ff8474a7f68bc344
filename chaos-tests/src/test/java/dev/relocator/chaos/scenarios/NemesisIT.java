package dev.relocator.chaos.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relocator.chaos.checker.CheckResult;
import dev.relocator.chaos.checker.Verdict;
import dev.relocator.chaos.generator.Generator;
import dev.relocator.chaos.generator.Step;
import dev.relocator.chaos.lab.SwarmLab;
import dev.relocator.chaos.nemesis.Nemesis;
import dev.relocator.chaos.nemesis.PartitionScope;
import dev.relocator.chaos.report.ScenarioOutcome;
import dev.relocator.chaos.runner.ChaosProfile;
import dev.relocator.chaos.runner.ScenarioRun;
import dev.relocator.chaos.workload.VolumeKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every nemesis fault on a real multi-manager lab (3 managers, 2 workers), plain Swarm: each fault
 * takes effect, its heal restores the node, and the checker reads what Swarm did with the writer.
 */
class NemesisIT {

    private static final Duration BOUND = Duration.ofSeconds(60);
    private static SwarmLab lab;
    private static String image;

    @BeforeAll
    static void startLab() {
        lab = SwarmLab.start(new SwarmLab.Spec(3, 2));
        image = lab.images().workloadImage();
        System.out.println("[chaos] 3+2 lab bring-up " + lab.timings());
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aBlipShorterThanSwarmsDownDetectionMovesNothing() {
        ScenarioOutcome out = ScenarioOutcome.of("[chaos]", "blip-3s", Nemesis.BLIP, false, "no relocation, no double writer (L2, S1 valid)");
        ScenarioRun run = ScenarioSupport.newRun(lab, "blip-3s", 1, VolumeKind.SHARED, image, Map.of("operator", false));
        ScenarioRun.let(Duration.ofSeconds(2));
        String node = run.workload().writingNode().orElseThrow();
        run.nemesis().blip(node, PartitionScope.FULL, Duration.ofSeconds(3));
        ScenarioRun.let(Duration.ofSeconds(12));
        CheckResult r = out.add(run.finish());
        out.report(r.verdict() == Verdict.VALID);
        assertEquals(Verdict.VALID, r.verdict(), r.summary());
        assertEquals(0, r.falseRelocations());
    }

    @Test
    void aFrozenNodeStopsAndResumesItsWriter() {
        ScenarioOutcome out = ScenarioOutcome.of("[chaos]", "freeze-4s", Nemesis.FREEZE, false, "the writer pauses and resumes in place");
        ScenarioRun run = ScenarioSupport.newRun(lab, "freeze-4s", 1, VolumeKind.SHARED, image, Map.of("operator", false));
        ScenarioRun.let(Duration.ofSeconds(2));
        String node = run.workload().writingNode().orElseThrow();
        run.nemesis().freeze(node, false);
        assertFalse(lab.containerRunning(node), "paused");
        int before = run.workload().currentRecords().size();
        ScenarioRun.let(Duration.ofSeconds(4));
        assertEquals(before, run.workload().currentRecords().size(), "a frozen writer writes nothing");
        run.nemesis().unfreeze(node);
        Awaitility.await("writes resume").atMost(BOUND).until(() -> run.workload().currentRecords().size() > before + 3);
        CheckResult r = out.add(run.finish());
        out.report(r.s1().verdict() == Verdict.VALID && r.d1().verdict() == Verdict.VALID);
        assertEquals(Verdict.VALID, r.s1().verdict(), r.summary());
        assertEquals(Verdict.VALID, r.d1().verdict(), r.summary());
    }

    @Test
    void aDockerdRestartStopsTheWriterAndSwarmStartsANewOne() {
        ScenarioOutcome out = ScenarioOutcome.of("[chaos]", "dockerd-restart", Nemesis.DOCKERD_RESTART, false,
                "the engine comes back and a new writer follows the old one (S1, D1 valid; L1 measured); "
                        + "L2 records whether plain Swarm moved the writer to another node");
        ScenarioRun run = ScenarioSupport.newRun(lab, "dockerd-restart", 1, VolumeKind.SHARED, image, Map.of("operator", false));
        ScenarioRun.let(Duration.ofSeconds(2));
        String node = run.workload().writingNode().orElseThrow();
        var writers = run.workload().writers();
        run.nemesis().restartDockerd(node, false);
        assertTrue(lab.engineUp(node));
        Awaitility.await("a new writer").atMost(BOUND).pollInterval(Duration.ofMillis(500))
                .until(() -> !writers.containsAll(run.workload().writers()));
        ScenarioRun.let(Duration.ofSeconds(1));
        CheckResult r = out.add(run.finish());
        out.report(r.s1().verdict() == Verdict.VALID && r.d1().verdict() == Verdict.VALID && !r.recoverySeconds().isEmpty());
        assertEquals(Verdict.VALID, r.s1().verdict(), r.summary());
        assertEquals(Verdict.VALID, r.d1().verdict(), r.summary());
        assertEquals(1, r.recoverySeconds().size(), r.summary());
    }

    @Test
    void aKilledWorkloadContainerIsReplacedOnItsNode() {
        ScenarioOutcome out = ScenarioOutcome.of("[chaos]", "kill-workload", Nemesis.KILL_WORKLOAD, false,
                "Swarm restarts the writer; no double writer, no lost write (L1 measured; L2 records a move)");
        ScenarioRun run = ScenarioSupport.newRun(lab, "kill-workload", 1, VolumeKind.SHARED, image, Map.of("operator", false));
        ScenarioRun.let(Duration.ofSeconds(2));
        String node = run.workload().writingNode().orElseThrow();
        var writers = run.workload().writers();
        run.nemesis().killWorkload(node, run.workload().service(), false);
        Awaitility.await("a new writer").atMost(BOUND).pollInterval(Duration.ofMillis(500))
                .until(() -> !writers.containsAll(run.workload().writers()));
        ScenarioRun.let(Duration.ofSeconds(1));
        CheckResult r = out.add(run.finish());
        // where Swarm places the restarted task is its scheduler's choice: L2 is reported, not asserted
        out.report(r.s1().verdict() == Verdict.VALID && r.d1().verdict() == Verdict.VALID && r.recoverySeconds().size() == 1);
        assertEquals(Verdict.VALID, r.s1().verdict(), r.summary());
        assertEquals(Verdict.VALID, r.d1().verdict(), r.summary());
        assertEquals(1, r.recoverySeconds().size(), r.summary());
    }

    @Test
    void aCrashedLeaderIsReplacedAndTheWriterIsNotDisturbed() {
        ScenarioOutcome out = ScenarioOutcome.of("[chaos]", "leader-crash", Nemesis.LEADER_CRASH, false,
                "a new Raft leader; the writer keeps writing; the old leader rejoins");
        ScenarioRun run = ScenarioSupport.newRun(lab, "leader-crash", 1, VolumeKind.SHARED, image, Map.of("operator", false));
        ScenarioRun.let(Duration.ofSeconds(2));
        String leader = run.nemesis().crashLeader(false);
        Awaitility.await("a new leader").atMost(BOUND).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> lab.leader().filter(l -> !l.equals(leader)).isPresent());
        String newLeader = lab.leader().orElseThrow();
        assertNotEquals(leader, newLeader);
        ScenarioRun.let(Duration.ofSeconds(2));
        run.nemesis().restartLeader(leader);
        CheckResult r = out.add(run.finish());
        out.report(r.verdict() == Verdict.VALID);
        assertEquals(Verdict.VALID, r.verdict(), r.summary());
        assertTrue(lab.readyNodes().contains(leader), "the old leader rejoined");
    }

    @Test
    void aSeededScheduleOfNonMovingFaultsKeepsSwarmSafe() {
        long seed = Long.getLong("chaos.seed", 20261204L);
        int faults = ChaosProfile.runs(2, 6);
        ScenarioOutcome out = ScenarioOutcome.of("[chaos]", "generated-seed-" + seed, "blip|kill-workload|dockerd-restart", false,
                "no double writer and no lost write under faults that end the old writer before Swarm starts a new one");
        List<Step> steps = Generator.schedule(seed, new Generator.Options(
                List.of(Nemesis.BLIP, Nemesis.KILL_WORKLOAD, Nemesis.DOCKERD_RESTART), faults,
                Duration.ofSeconds(3), Duration.ofSeconds(8), Duration.ZERO, Duration.ZERO, Duration.ofSeconds(4)));
        ScenarioRun run = ScenarioSupport.newRun(lab, "generated-seed-" + seed, 1, VolumeKind.SHARED, image,
                Map.of("operator", false, "seed", seed, "steps", steps.toString()));
        run.execute(steps);
        CheckResult r = out.add(run.finish());
        // plain Swarm may place a restarted task on another node (seen after a dockerd restart): L2 is reported, not asserted
        boolean ok = r.s1().verdict() == Verdict.VALID && r.d1().verdict() == Verdict.VALID;
        out.report(ok);
        assertTrue(ok, "seed " + seed + ": " + r.summary());
    }
}
