package dev.relocator.chaos.runner;

import dev.relocator.chaos.generator.Step;
import dev.relocator.chaos.history.History;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import dev.relocator.chaos.lab.LabNode;
import dev.relocator.chaos.lab.SwarmLab;
import dev.relocator.chaos.nemesis.BrokerControl;
import dev.relocator.chaos.nemesis.Nemesis;
import dev.relocator.chaos.nemesis.PartitionScope;
import dev.relocator.chaos.workload.WriterWorkload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One run of a scenario: a history, a nemesis, a workload. Running and analysing are separate:
 * {@link #finish()} heals every fault, stops the writer, stores the final volume and the
 * acknowledgements next to the history, and returns the stored run for the checker.
 */
public final class ScenarioRun implements AutoCloseable {

    private final SwarmLab lab;
    private final Path dir;
    private final History history;
    private final Nemesis nemesis;
    private final WriterWorkload workload;

    public ScenarioRun(SwarmLab lab, Path dir, WriterWorkload workload, Optional<BrokerControl> broker, Map<String, Object> meta) {
        this.lab = lab;
        this.dir = dir;
        this.workload = workload;
        this.history = new History(dir.resolve(RunData.HISTORY_FILE));
        this.nemesis = new Nemesis(lab, history, broker);
        Map<String, Object> v = new LinkedHashMap<>(meta);
        v.put("lab", lab.runId());
        v.put("nodes", lab.nodes().stream().map(LabNode::name).toList());
        v.put("service", workload.service());
        v.put("volume", workload.kind().name());
        history.append(Op.HARNESS, Op.INFO, "run", v);
    }

    public History history() {
        return history;
    }

    public Nemesis nemesis() {
        return nemesis;
    }

    public WriterWorkload workload() {
        return workload;
    }

    public Path dir() {
        return dir;
    }

    /** A relocation phase seen by the operator (the timeline's phase lane). */
    public void phase(String phase, String node) {
        history.append("operator", Op.INFO, "phase", Map.of("phase", phase, "node", node));
    }

    /** Runs a generated schedule; each fault is healed before the next wait. */
    public void execute(List<Step> steps) {
        for (Step s : steps) {
            if (s instanceof Step.Wait w) {
                let(w.duration());
            } else if (s instanceof Step.Inject i) {
                inject(i);
            }
        }
    }

    private void inject(Step.Inject i) {
        String writer = workload.writingNode().orElseThrow(() -> new IllegalStateException("no writer to aim the fault at"));
        String node = i.target().equals(Step.Inject.WRITER_NODE) ? writer
                : lab.workers().stream().map(LabNode::name).filter(n -> !n.equals(writer)).findFirst().orElse(writer);
        switch (i.fault()) {
            case Nemesis.CRASH -> {
                nemesis.crash(node, i.expectRelocation());
                let(i.hold());
                nemesis.restart(node);
            }
            case Nemesis.PARTITION -> {
                nemesis.partition(node, PartitionScope.FULL, i.expectRelocation());
                let(i.hold());
                nemesis.healPartition(node);
            }
            case Nemesis.BLIP -> nemesis.blip(node, PartitionScope.FULL, i.hold());
            case Nemesis.FREEZE -> {
                nemesis.freeze(node, i.expectRelocation());
                let(i.hold());
                nemesis.unfreeze(node);
            }
            case Nemesis.DOCKERD_RESTART -> nemesis.restartDockerd(node, i.expectRelocation());
            case Nemesis.KILL_WORKLOAD -> nemesis.killWorkload(writer, workload.service(), i.expectRelocation());
            default -> throw new IllegalArgumentException("the runner cannot inject '" + i.fault() + "'");
        }
    }

    /** Heal, stop the writer, capture the volume, import the acks; the stored run is then checkable. */
    public RunData finish() {
        try {
            nemesis.healAll();
        } finally {
            Optional<String> content = workload.stopAndCapture();
            history.append(Op.HARNESS, Op.INFO, "stopped", Map.of("volumeCaptured", content.isPresent()));
            try {
                if (content.isPresent()) {
                    Files.writeString(dir.resolve(RunData.VOLUME_FILE), content.get(), StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            workload.importAcks(history);
            history.close();
        }
        return RunData.load(dir);
    }

    /** Time passing is the point here (the workload runs, a fault is held): not a wait for a condition. */
    public static void let(Duration d) {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        try {
            TimeUnit.MILLISECONDS.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        history.close();
    }
}
