package dev.relocator.chaos.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relocator.chaos.checker.CheckResult;
import dev.relocator.chaos.checker.Checker;
import dev.relocator.chaos.checker.Verdict;
import dev.relocator.chaos.history.History;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import dev.relocator.chaos.history.WriteRecord;
import dev.relocator.chaos.report.ChaosReport;
import dev.relocator.chaos.report.RunSummary;
import dev.relocator.chaos.report.ScenarioEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The matrix's per-run summary and report section, and the checker rule the matrix relies on, on hand-written runs. */
class RunSummaryTest {

    private static Op write(long t, String writer, String node, int seq) {
        return new Op(t, writer, Op.OK, Checker.WRITE, Map.of("seq", seq, "node", node, "time", t));
    }

    private static String rec(long t, String writer, String node, int seq) {
        return "{\"writer\":\"" + writer + "\",\"node\":\"" + node + "\",\"seq\":" + seq + ",\"time\":" + t + "}\n";
    }

    /** A relocation w1 → w2 after a partition, with the controller killed during it (withinRecovery). */
    private static Path relocation(Path dir) throws Exception {
        Files.createDirectories(dir);
        try (History h = new History(dir.resolve(RunData.HISTORY_FILE))) {
            h.append(new Op(1_000, Op.HARNESS, Op.INFO, "run", Map.of("nodes", List.of("m1", "w1", "w2"))));
            h.append(write(1_000, "A", "w1", 1));
            h.append(new Op(2_000, Op.NEMESIS, Op.INVOKE, "partition", Map.of("node", "w1", "expectRelocation", true)));
            h.append(new Op(2_001, Op.NEMESIS, Op.OK, "partition", Map.of("node", "w1", "expectRelocation", true)));
            h.append(new Op(6_000, "operator", Op.INFO, "phase", Map.of("phase", "Fencing e1", "node", "w1")));
            h.append(new Op(6_100, Op.NEMESIS, Op.INVOKE, "operator-kill",
                    Map.of("node", "m1", "expectRelocation", false, Checker.WITHIN_RECOVERY, true, "phase", "Fencing e1")));
            h.append(new Op(6_200, Op.NEMESIS, Op.OK, "operator-kill",
                    Map.of("node", "m1", "expectRelocation", false, Checker.WITHIN_RECOVERY, true, "phase", "Fencing e1")));
            h.append(write(30_000, "B", "w2", 1));
            h.append(write(30_200, "B", "w2", 2));
            h.append(new Op(31_000, Op.NEMESIS, Op.INVOKE, Checker.HEAL, Map.of("fault", "partition", "node", "w1")));
            h.append(new Op(31_001, Op.NEMESIS, Op.OK, Checker.HEAL, Map.of("fault", "partition", "node", "w1")));
        }
        Files.writeString(dir.resolve(RunData.VOLUME_FILE), rec(1_000, "A", "w1", 1) + rec(30_000, "B", "w2", 1) + rec(30_200, "B", "w2", 2));
        return dir;
    }

    @Test
    void recoveryIsMeasuredFromTheCausingFaultNotFromAFaultInjectedDuringTheRecovery(@TempDir Path tmp) throws Exception {
        RunData run = RunData.load(relocation(tmp.resolve("run-1")));
        CheckResult r = Checker.defaults().check(run);
        assertEquals(Verdict.VALID, r.l1().verdict(), r.summary());
        assertEquals(List.of(28.0), r.recoverySeconds(), "from the partition at 2 s to the new writer at 30 s, not from the kill");

        RunSummary s = RunSummary.of(42, run, r, "run-1", 61.5);
        assertEquals(1, s.relocations());
        assertEquals(28.0, s.recoverySeconds());
        assertEquals(42, s.seed());
        assertEquals("VALID", s.verdict());
        assertEquals("-1.00 s first record of writer A on w1", s.timeline().get(0), "times are relative to the fault");
        assertTrue(s.timeline().contains("+0.00 s partition w1"), s.timeline().toString());
        assertTrue(s.timeline().stream().anyMatch(l -> l.equals("+4.20 s operator-kill m1 at phase Fencing e1")), s.timeline().toString());
        assertTrue(s.timeline().stream().anyMatch(l -> l.equals("+28.00 s first record of writer B on w2")), s.timeline().toString());
    }

    @Test
    void withoutTheMarkTheSameKillWouldTakeTheRecoveryAndLeaveTheCausingFaultUnknown(@TempDir Path tmp) throws Exception {
        Path dir = relocation(tmp.resolve("run-1"));
        List<Op> ops = History.read(dir.resolve(RunData.HISTORY_FILE)).stream()
                .map(o -> o.value().containsKey(Checker.WITHIN_RECOVERY)
                        ? new Op(o.time(), o.process(), o.type(), o.f(), Map.of("node", "m1", "expectRelocation", false)) : o)
                .toList();
        CheckResult r = Checker.defaults().check(ops, RunData.load(dir).volume());
        assertEquals(Verdict.UNKNOWN, r.l1().verdict(), r.summary());
    }

    @Test
    void relocationsCountNodeChangesNotRestartsInPlace() {
        assertEquals(0, RunSummary.relocations(List.of(
                new WriteRecord("A", "c", "w1", 1L, 1L), new WriteRecord("B", "c", "w1", 1L, 2L))));
        assertEquals(2, RunSummary.relocations(List.of(
                new WriteRecord("A", "c", "w1", 1L, 1L), new WriteRecord("B", "c", "w2", 1L, 2L), new WriteRecord("C", "c", "w1", 1L, 3L))));
    }

    @Test
    void noNewWriterMeansNoRecoveryFigure(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run-1");
        Files.createDirectories(dir);
        try (History h = new History(dir.resolve(RunData.HISTORY_FILE))) {
            h.append(write(1_000, "A", "w1", 1));
            h.append(new Op(2_000, Op.NEMESIS, Op.INVOKE, "blip", Map.of("node", "w1", "expectRelocation", false)));
            h.append(write(4_000, "A", "w1", 2));
        }
        Files.writeString(dir.resolve(RunData.VOLUME_FILE), rec(1_000, "A", "w1", 1) + rec(4_000, "A", "w1", 2));
        RunData run = RunData.load(dir);
        RunSummary s = RunSummary.of(1, run, Checker.defaults().check(run), "run-1", 1);
        assertNull(s.recoverySeconds());
        assertEquals(0, s.relocations());
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void theReportCarriesTheMatrixSummaryAndEachRunsTimeline(@TempDir Path reportDir) throws Exception {
        Path dir = relocation(reportDir.resolve("chaos-runs/matrix-x/run-1"));
        RunData run = RunData.load(dir);
        CheckResult r = Checker.defaults().check(run);
        Map<String, Double> cost = new java.util.LinkedHashMap<>();
        cost.put("deploy", 7.5);
        cost.put("fault", 20.25);
        cost.put("stop", 3.0);
        cost.put("restore", 9.25);
        RunSummary s = RunSummary.of(7, run, r, "chaos-runs/matrix-x/run-1", 40, cost);
        ChaosReport.record(reportDir, ScenarioEntry.of("matrix-x", "partition", true, "safe", true, List.of(r),
                List.of(reportDir.relativize(dir))).withMatrix(ScenarioEntry.Matrix.of(true, List.of(s))));
        ChaosReport.record(reportDir, ScenarioEntry.of("plain", "none", false, "valid", true, List.of(), List.of()));

        JsonNode all = new ObjectMapper().readTree(reportDir.resolve(ChaosReport.JSON_FILE).toFile()).get("scenarios");
        JsonNode mx = all.get(0).get("matrix");
        assertTrue(mx.get("safetyClaimed").asBoolean());
        assertEquals(1, mx.get("relocations").asInt());
        assertEquals(28.0, mx.get("recoveryToAckSeconds").get("p50").asDouble(), 1e-9);
        assertEquals(7, mx.get("runs").get(0).get("seed").asLong());
        assertTrue(mx.get("runs").get(0).get("timeline").size() >= 5);
        assertEquals(List.of("deploy", "fault", "stop", "restore"), iterable(mx.get("runs").get(0).get("costSeconds").fieldNames()),
                "the cost segments in the order they ran");
        assertEquals(20.25, mx.get("runs").get(0).get("costSeconds").get("fault").asDouble(), 1e-9);
        assertFalse(all.get(1).has("matrix"), "an entry without the matrix section stays as it was");

        String html = Files.readString(reportDir.resolve(ChaosReport.HTML_FILE));
        assertTrue(html.contains("<h2>Operator matrix</h2>"));
        assertTrue(html.contains("seed 7, relocations 1, recovery to the first acknowledged write 28.0 s, 40.0 s (deploy 7.5, fault 20.3,"
                + " stop 3.0, restore 9.3)"), html);
        assertTrue(html.contains("+28.00 s first record of writer B on w2"));
        Optional.of(html).filter(h -> h.indexOf("Operator matrix") < h.indexOf("id=\"matrix-x\"")).orElseThrow();
    }
}
