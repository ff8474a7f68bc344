package dev.relocator.chaos.report;

import dev.relocator.chaos.checker.CheckResult;
import dev.relocator.chaos.checker.Checker;
import dev.relocator.chaos.history.RunData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checked runs of one scenario and its entry in the chaos report: every scenario test collects
 * its runs here, so a run is checked, logged and reported the same way whichever test ran it.
 */
public final class ScenarioOutcome {

    private final String logTag;
    private final String name;
    private final String fault;
    private final boolean operator;
    private final String expectation;
    private final Optional<String> figuresFile;
    private final List<CheckResult> results = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();

    private ScenarioOutcome(String logTag, String name, String fault, boolean operator, String expectation, Optional<String> figuresFile) {
        this.logTag = logTag;
        this.name = name;
        this.fault = fault;
        this.operator = operator;
        this.expectation = expectation;
        this.figuresFile = figuresFile;
    }

    /**
     * @param logTag      prefix of this scenario's console lines, e.g. {@code [ops]}
     * @param operator    whether the operator was deployed (the report separates the two kinds)
     * @param expectation what the design claims for this fault, as the report states it
     */
    public static ScenarioOutcome of(String logTag, String name, String fault, boolean operator, String expectation) {
        return new ScenarioOutcome(logTag, name, fault, operator, expectation, Optional.empty());
    }

    /** The same outcome, whose {@link #note figures} are also appended to this file of the report directory. */
    public ScenarioOutcome figuresIn(String fileName) {
        return new ScenarioOutcome(logTag, name, fault, operator, expectation, Optional.of(fileName));
    }

    /** Checks a finished run with the default checker and keeps its result for the report. */
    public CheckResult add(RunData run) {
        CheckResult r = Checker.defaults().check(run);
        results.add(r);
        dirs.add(run.dir());
        System.out.println(logTag + " " + name + " " + run.dir() + ": " + r.verdict() + " — " + r.summary());
        return r;
    }

    /** A measured figure of this scenario: printed, and kept in the figures file when one is set. */
    public void note(String figures) {
        System.out.println(logTag + " " + name + ": " + figures);
        if (figuresFile.isEmpty()) {
            return;
        }
        try {
            Path f = ChaosReport.dir().resolve(figuresFile.get());
            Files.createDirectories(f.getParent());
            Files.writeString(f, name + ": " + figures + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes this scenario's entry into the report, with run directories relative to the report. */
    public void report(boolean met) {
        Path base = ChaosReport.dir().toAbsolutePath();
        ChaosReport.record(ChaosReport.dir(), ScenarioEntry.of(name, fault, operator, expectation, met, results,
                dirs.stream().map(d -> base.relativize(d.toAbsolutePath())).toList()));
    }

    public List<CheckResult> results() {
        return List.copyOf(results);
    }
}
