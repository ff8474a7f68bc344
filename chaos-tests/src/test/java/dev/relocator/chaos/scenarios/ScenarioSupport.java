package dev.relocator.chaos.scenarios;

import dev.relocator.chaos.checker.CheckResult;
import dev.relocator.chaos.checker.Checker;
import dev.relocator.chaos.history.RunData;
import dev.relocator.chaos.lab.SwarmLab;
import dev.relocator.chaos.report.ChaosReport;
import dev.relocator.chaos.report.ScenarioEntry;
import dev.relocator.chaos.runner.ScenarioRun;
import dev.relocator.chaos.workload.VolumeKind;
import dev.relocator.chaos.workload.WriterWorkload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Shared plumbing of the scenario tests: where runs are stored, and how a scenario lands in the report. */
final class ScenarioSupport {

    static final Duration WRITE_INTERVAL = Duration.ofMillis(200);

    private ScenarioSupport() {
    }

    static Path runDir(String scenario, int run) {
        return ChaosReport.dir().resolve("chaos-runs").resolve(scenario).resolve("run-" + run);
    }

    static ScenarioRun newRun(SwarmLab lab, String scenario, int run, VolumeKind kind, String image, Map<String, Object> meta) {
        WriterWorkload w = new WriterWorkload(lab, scenario.replaceAll("[^a-z0-9]", "-") + "-" + run, kind, WRITE_INTERVAL, List.of());
        ScenarioRun r = new ScenarioRun(lab, runDir(scenario, run), w, Optional.empty(), meta);
        w.deploy(image);
        return r;
    }

    /** Collects the checked runs of one scenario and writes its report entry. */
    static final class Outcome {
        final String name;
        final String fault;
        final String expectation;
        final List<CheckResult> results = new ArrayList<>();
        final List<Path> dirs = new ArrayList<>();

        Outcome(String name, String fault, String expectation) {
            this.name = name;
            this.fault = fault;
            this.expectation = expectation;
        }

        CheckResult add(RunData run) {
            CheckResult r = Checker.defaults().check(run);
            results.add(r);
            dirs.add(run.dir());
            System.out.println("[chaos] " + name + " " + run.dir() + ": " + r.verdict() + " — " + r.summary());
            return r;
        }

        void report(boolean met) {
            Path base = ChaosReport.dir().toAbsolutePath();
            ChaosReport.record(ChaosReport.dir(), ScenarioEntry.of(name, fault, false, expectation, met, results,
                    dirs.stream().map(d -> base.relativize(d.toAbsolutePath())).toList()));
        }
    }
}
