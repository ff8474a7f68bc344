package dev.relocator.chaos.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relocator.chaos.checker.CheckResult;
import dev.relocator.chaos.checker.Verdict;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.lab.SwarmLab;
import dev.relocator.chaos.nemesis.Nemesis;
import dev.relocator.chaos.nemesis.PartitionScope;
import dev.relocator.chaos.report.ChaosReport;
import dev.relocator.chaos.report.ScenarioOutcome;
import dev.relocator.chaos.runner.ChaosProfile;
import dev.relocator.chaos.runner.ScenarioRun;
import dev.relocator.chaos.workload.VolumeKind;
import dev.relocator.chaos.workload.WriterWorkload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator, deployed with {@code docker stack deploy -c deploy/docker-stack.yml} as a global
 * service, relocating the writer (label shorthand {@code relocator.dev/volume}, shared storage,
 * fencing wrapper) away from a crashed or partitioned node, and leaving it in place across a blip
 * shorter than the L2 bound.
 * The phases the operator publishes on {@code relocator.events} go into each run's history as they
 * arrive (the report's phase lane) and are checked too: a relocation reaches Attached at a new
 * epoch, a blip changes no epoch.
 */
class OperatorRelocationIT {

    private static final Duration WRITE_INTERVAL = Duration.ofMillis(200);
    /** L1 from docs/safety-argument.md §5 is 7.1 s; the lab's first relocation also pays image-less start-up. */
    private static final Duration RELOCATION_BOUND = Duration.ofSeconds(60);
    /** Below the 1.756 s blip bound of LeaseTiming.blipBound. */
    private static final Duration BLIP = Duration.ofMillis(1200);

    private static SwarmLab lab;
    private static OperatorStack stack;
    private static PhaseFeed feed;
    private static String image;
    private static Map<String, String> nodeNames;
    /** The run whose history receives the operator's phases as they arrive (the report's phase lane). */
    private static volatile ScenarioRun current;

    @BeforeAll
    static void start() {
        lab = SwarmLab.start(SwarmLab.Spec.defaults());
        stack = OperatorStack.deploy(lab);
        feed = new PhaseFeed(stack.broker().bootstrapServers(), "relocator.events");
        image = lab.images().workloadImage();
        nodeNames = stack.nodeNames();
        feed.onPhase(p -> {
            ScenarioRun run = current;
            if (run != null && p.volume().equals(run.workload().volumeName())) {
                run.history().append(new Op(p.receivedMillis(), "operator", Op.INFO, "phase",
                        Map.of("phase", p.phase() + " e" + p.epoch(), "node", nodeNames.getOrDefault(p.node(), p.node()))));
            }
        });
        System.out.println("[chaos] lab " + lab.timings() + "; operator image+load " + stack.buildMillis() + " ms, stack healthy "
                + stack.deployMillis() + " ms");
    }

    @AfterAll
    static void stop() {
        if (feed != null) {
            feed.close();
        }
        if (stack != null) {
            System.out.println("[chaos] operator logs (tail):\n" + stack.logs(200));
            stack.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void crashOfTheWritersNodeRelocatesWithoutDoubleWriterOrLostWrites() {
        relocationScenario("operator-crash", Nemesis.CRASH, ChaosProfile.runs(1, 3));
    }

    @Test
    void partitionOfTheWritersNodeRelocatesWithoutDoubleWriterOrLostWrites() {
        relocationScenario("operator-partition", Nemesis.PARTITION, ChaosProfile.runs(1, 3));
    }

    @Test
    void aBlipShorterThanTheBoundMovesNothing() {
        ScenarioOutcome out = ScenarioOutcome.of("[chaos]", "operator-blip", Nemesis.BLIP, true,
                "no relocation and no violation: the blip is below the L2 bound");
        int runs = ChaosProfile.runs(1, 3);
        for (int i = 1; i <= runs; i++) {
            ScenarioRun run = newRun("operator-blip", i);
            ScenarioRun.let(Duration.ofSeconds(3));
            String node = run.workload().writingNode().orElseThrow();
            run.nemesis().blip(node, PartitionScope.FULL, BLIP);
            ScenarioRun.let(Duration.ofSeconds(10));
            stopPhaseFeed(run);
            CheckResult r = out.add(run.finish());
            assertEquals(Verdict.VALID, r.verdict(), r.summary());
            assertEquals(0, r.falseRelocations(), r.summary());
            String vol = run.workload().volumeName();
            assertEquals(1L, feed.phases(vol).stream().mapToLong(PhaseFeed.Phase::epoch).max().orElse(-1),
                    "the blip must not start a new epoch: " + feed.phases(vol));
        }
        out.report(true);
    }

    private void relocationScenario(String name, String fault, int runs) {
        ScenarioOutcome out = ScenarioOutcome.of("[chaos]", name, fault, true,
                "0 double writers, 0 lost acknowledged writes, the writer writes again on another node");
        for (int i = 1; i <= runs; i++) {
            ScenarioRun run = newRun(name, i);
            ScenarioRun.let(Duration.ofSeconds(3));
            String node = run.workload().writingNode().orElseThrow();
            if (fault.equals(Nemesis.CRASH)) {
                run.nemesis().crash(node, true);
            } else {
                run.nemesis().partition(node, PartitionScope.FULL, true);
            }
            Awaitility.await("the writer relocated by the operator away from " + node).atMost(RELOCATION_BOUND)
                    .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> run.workload().writingNode().filter(n -> !n.equals(node)).isPresent());
            ScenarioRun.let(Duration.ofSeconds(3));
            if (fault.equals(Nemesis.CRASH)) {
                run.nemesis().restart(node);
            } else {
                run.nemesis().healPartition(node);
            }
            // the old node is back: it must not write again (hard case 4)
            ScenarioRun.let(Duration.ofSeconds(4));
            stopPhaseFeed(run);
            CheckResult r = out.add(run.finish());
            assertEquals(0, r.doubleWriterViolations(), r.summary());
            assertEquals(0, r.lostWrites(), r.summary());
            assertEquals(Verdict.VALID, r.s1().verdict(), r.summary());
            assertEquals(Verdict.VALID, r.d1().verdict(), r.summary());
            assertEquals(Verdict.VALID, r.l1().verdict(), r.summary());
            assertTrue(!r.recoverySeconds().isEmpty(), "a recovery time is recorded: " + r.summary());
            assertNotEquals(node, run.workload().writingNode().orElse(node));
            String vol = run.workload().volumeName();
            assertTrue(feed.phases(vol).stream().anyMatch(p -> p.phase().equals("Attached") && p.epoch() >= 2),
                    "the operator published Attached at a new epoch: " + feed.phases(vol));
        }
        out.report(true);
    }

    private ScenarioRun newRun(String scenario, int i) {
        String service = scenario + "-" + i;
        WriterWorkload w = new WriterWorkload(lab, service, VolumeKind.SHARED, WRITE_INTERVAL,
                OperatorStack.relocatableWriterArgs(service + "-data"));
        Path dir = ChaosReport.dir().resolve("chaos-runs").resolve(scenario).resolve("run-" + i);
        ScenarioRun run = new ScenarioRun(lab, dir, w, Optional.empty(), Map.of("operator", true));
        current = run;
        w.deploy(image);
        return run;
    }

    /** The run's phases were recorded as they arrived; none may be appended once the run is finishing. */
    private static void stopPhaseFeed(ScenarioRun run) {
        current = null;
        assertTrue(!feed.phases(run.workload().volumeName()).isEmpty(), "the operator published phases of "
                + run.workload().volumeName() + " on relocator.events");
    }
}
