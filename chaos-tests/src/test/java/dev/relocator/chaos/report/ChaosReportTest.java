package dev.relocator.chaos.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relocator.chaos.checker.CheckResult;
import dev.relocator.chaos.checker.Checker;
import dev.relocator.chaos.history.History;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChaosReportTest {

    /** A stored run with a partition, two interleaved writers, one lost acknowledged write and an operator phase. */
    private static Path storeRun(Path dir) throws Exception {
        Files.createDirectories(dir);
        try (History h = new History(dir.resolve(RunData.HISTORY_FILE))) {
            h.append(new Op(1_000, Op.HARNESS, Op.INFO, "run", Map.of("nodes", List.of("m1", "w1", "w2"))));
            h.append(new Op(1_000, "A", Op.OK, Checker.WRITE, Map.of("seq", 1, "node", "w1", "time", 1_000)));
            h.append(new Op(2_000, Op.NEMESIS, Op.INVOKE, "partition", Map.of("node", "w1", "expectRelocation", true)));
            h.append(new Op(2_001, Op.NEMESIS, Op.OK, "partition", Map.of("node", "w1", "expectRelocation", true)));
            h.append(new Op(2_500, "operator", Op.INFO, "phase", Map.of("phase", "Fencing", "node", "w1")));
            h.append(new Op(3_000, "A", Op.OK, Checker.WRITE, Map.of("seq", 2, "node", "w1", "time", 3_000)));
            h.append(new Op(3_100, "A", Op.OK, Checker.WRITE, Map.of("seq", 3, "node", "w1", "time", 3_100)));
            h.append(new Op(3_200, "B", Op.OK, Checker.WRITE, Map.of("seq", 1, "node", "w2", "time", 3_200)));
            h.append(new Op(4_000, Op.NEMESIS, Op.INVOKE, Checker.HEAL, Map.of("fault", "partition", "node", "w1")));
            h.append(new Op(4_001, Op.NEMESIS, Op.OK, Checker.HEAL, Map.of("fault", "partition", "node", "w1")));
        }
        Files.writeString(dir.resolve(RunData.VOLUME_FILE),
                "{\"writer\":\"A\",\"node\":\"w1\",\"seq\":1,\"time\":1000}\n"
                        + "{\"writer\":\"B\",\"node\":\"w2\",\"seq\":1,\"time\":3200}\n"
                        + "{\"writer\":\"A\",\"node\":\"w1\",\"seq\":2,\"time\":3000}\n");
        return dir;
    }

    @Test
    void theJsonHasTheAgreedFieldsAndTheHtmlATimelinePerRun(@TempDir Path reportDir) throws Exception {
        Path run = storeRun(reportDir.resolve("chaos-runs/demo/run-1"));
        CheckResult r = Checker.defaults().check(RunData.load(run));
        ChaosReport.record(reportDir, ScenarioEntry.of("demo", "partition", false, "flagged", true, List.of(r),
                List.of(reportDir.relativize(run))));

        JsonNode s = new ObjectMapper().readTree(reportDir.resolve(ChaosReport.JSON_FILE).toFile()).get("scenarios").get(0);
        for (String field : List.of("name", "fault", "operator", "runs", "doubleWriterViolations", "lostWrites",
                "falseRelocations", "recoverySeconds", "valid")) {
            assertTrue(s.has(field), "field " + field + " in " + s);
        }
        assertEquals(1, s.get("doubleWriterViolations").asInt());
        assertEquals(1, s.get("lostWrites").asInt(), "A#3 was acknowledged and is not on the volume");
        assertEquals(1.2, s.get("recoverySeconds").get("p50").asDouble(), 1e-9);
        assertFalse(s.get("valid").asBoolean());

        String html = Files.readString(reportDir.resolve(ChaosReport.HTML_FILE));
        Matcher m = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(html);
        assertTrue(m.find(), "a timeline");
        String svg = m.group();
        // well-formed: a browser draws what a strict XML parser accepts
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertTrue(svg.contains("two writers"), "overlap shaded");
        assertTrue(svg.contains("lost A #3"), "lost write marked");
        assertTrue(svg.contains(">Fencing w1<"), "phase lane");
        assertTrue(svg.contains(">partition w1<"), "fault lane");
    }

    @Test
    void aScenarioRecordedAgainReplacesItsEntry(@TempDir Path reportDir) throws Exception {
        Path run = storeRun(reportDir.resolve("chaos-runs/demo/run-1"));
        CheckResult r = Checker.defaults().check(RunData.load(run));
        ScenarioEntry e = ScenarioEntry.of("demo", "partition", false, "flagged", true, List.of(r), List.of(reportDir.relativize(run)));
        ChaosReport.record(reportDir, e);
        ChaosReport.record(reportDir, e);
        ChaosReport.record(reportDir, ScenarioEntry.of("other", "none", false, "valid", true, List.of(), List.of()));
        JsonNode all = new ObjectMapper().readTree(reportDir.resolve(ChaosReport.JSON_FILE).toFile()).get("scenarios");
        assertEquals(2, all.size());
    }
}
