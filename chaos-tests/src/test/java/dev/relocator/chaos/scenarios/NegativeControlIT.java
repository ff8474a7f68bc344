package dev.relocator.chaos.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relocator.chaos.checker.CheckResult;
import dev.relocator.chaos.checker.Verdict;
import dev.relocator.chaos.lab.SwarmLab;
import dev.relocator.chaos.nemesis.Nemesis;
import dev.relocator.chaos.nemesis.PartitionScope;
import dev.relocator.chaos.report.ScenarioOutcome;
import dev.relocator.chaos.runner.ChaosProfile;
import dev.relocator.chaos.runner.ScenarioRun;
import dev.relocator.chaos.workload.VolumeKind;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Plain Swarm, no operator: the dangers the operator exists for, shown by the checker. These tests
 * pass when the checker flags the violation (they prove it can fail); the sanity run proves it
 * does not flag everything.
 */
class NegativeControlIT {

    /** DESIGN §7: Swarm marks a partitioned node down after ~12.5 s; the replacement writes ~16 s after the fault. */
    private static final Duration RESCHEDULE_BOUND = Duration.ofSeconds(60);

    private static SwarmLab lab;
    private static String image;

    @BeforeAll
    static void startLab() {
        lab = SwarmLab.start(SwarmLab.Spec.defaults());
        image = lab.images().workloadImage();
        System.out.println("[chaos] lab bring-up " + lab.timings());
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void sanityRunWithoutFaultsIsValid() {
        ScenarioOutcome out = ScenarioOutcome.of("[chaos]", "sanity-no-fault", "none", false,
                "checked valid: the checker does not flag a healthy run");
        ScenarioRun run = ScenarioSupport.newRun(lab, "sanity-no-fault", 1, VolumeKind.SHARED, image, Map.of("operator", false));
        ScenarioRun.let(Duration.ofSeconds(6));
        CheckResult r = out.add(run.finish());
        out.report(r.verdict() == Verdict.VALID);
        assertEquals(Verdict.VALID, r.verdict(), r.summary());
        assertTrue(r.unknownWrites() <= 1, "at most the write in flight at the stop is unknown: " + r.unknownWrites());
    }

    @Test
    void partitionedWriterWithSharedStorageGivesTwoWritersInEveryRun() {
        int runs = ChaosProfile.runs(2, 5);
        ScenarioOutcome out = ScenarioOutcome.of("[chaos]", "negative-partition-shared", Nemesis.PARTITION, false,
                "S1 flagged in every run: Swarm starts a replacement while the partitioned writer keeps writing");
        boolean all = true;
        for (int i = 1; i <= runs; i++) {
            PartitionScope scope = i % 2 == 1 ? PartitionScope.FULL : PartitionScope.MANAGERS;
            ScenarioRun run = ScenarioSupport.newRun(lab, "negative-partition-shared", i, VolumeKind.SHARED, image,
                    Map.of("operator", false, "scope", scope.name()));
            ScenarioRun.let(Duration.ofSeconds(2));
            String node = run.workload().writingNode().orElseThrow();
            run.nemesis().partition(node, scope, true);
            Awaitility.await("a replacement writer on another node").atMost(RESCHEDULE_BOUND).pollInterval(Duration.ofMillis(500))
                    .until(() -> run.workload().writingNode().filter(n -> !n.equals(node)).isPresent());
            // keep both writing for a while: the old one does not know it was replaced
            ScenarioRun.let(Duration.ofSeconds(3));
            CheckResult r = out.add(run.finish());
            all &= r.s1().verdict() == Verdict.INVALID && r.doubleWriterViolations() > 0;
        }
        out.report(all);
        for (CheckResult r : out.results()) {
            assertEquals(Verdict.INVALID, r.s1().verdict(), "the checker must flag the double writer: " + r.summary());
        }
    }

    @Test
    void crashedWriterWithNodeLocalVolumeLosesAcknowledgedWrites() {
        int runs = ChaosProfile.runs(1, 3);
        ScenarioOutcome out = ScenarioOutcome.of("[chaos]", "negative-crash-node-local", Nemesis.CRASH, false,
                "D1 flagged in every run: the rescheduled writer starts on an empty node-local volume");
        boolean all = true;
        for (int i = 1; i <= runs; i++) {
            ScenarioRun run = ScenarioSupport.newRun(lab, "negative-crash-node-local", i, VolumeKind.NODE_LOCAL, image,
                    Map.of("operator", false));
            ScenarioRun.let(Duration.ofSeconds(2));
            String node = run.workload().scheduledNode().orElseThrow();
            run.nemesis().crash(node, true);
            Awaitility.await("the writer rescheduled and writing elsewhere").atMost(RESCHEDULE_BOUND).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions()
                    .until(() -> run.workload().scheduledNode().filter(n -> !n.equals(node)).isPresent()
                            && !run.workload().currentRecords().isEmpty());
            ScenarioRun.let(Duration.ofSeconds(2));
            run.nemesis().restart(node);
            CheckResult r = out.add(run.finish());
            all &= r.d1().verdict() == Verdict.INVALID && r.lostWrites() > 0;
        }
        out.report(all);
        for (CheckResult r : out.results()) {
            assertEquals(Verdict.INVALID, r.d1().verdict(), "the checker must flag the lost writes: " + r.summary());
            assertTrue(r.lostWrites() > 0);
        }
    }
}
