package dev.relocator.chaos.scenarios;

import dev.relocator.chaos.lab.SwarmLab;
import dev.relocator.chaos.report.ChaosReport;
import dev.relocator.chaos.runner.ScenarioRun;
import dev.relocator.chaos.workload.VolumeKind;
import dev.relocator.chaos.workload.WriterWorkload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Shared plumbing of the scenario tests: where runs are stored and how a run is started. */
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
}
