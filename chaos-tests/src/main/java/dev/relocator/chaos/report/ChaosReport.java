package dev.relocator.chaos.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.chaos.checker.Checker;
import dev.relocator.chaos.history.RunData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code chaos-report.json} (one entry per scenario) and {@code chaos-report.html} (the same,
 * readable, with a timeline per run). Each scenario upserts its entry, so test classes that run
 * in one build add up to one report; the HTML is drawn again from the stored histories.
 */
public final class ChaosReport {

    public static final String JSON_FILE = "chaos-report.json";
    public static final String HTML_FILE = "chaos-report.html";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ChaosReport() {
    }

    /** The directory Failsafe names with {@code chaos.report.dir}, else {@code target}. */
    public static Path dir() {
        return Path.of(System.getProperty("chaos.report.dir", "target"));
    }

    public static synchronized void record(Path dir, ScenarioEntry entry) {
        try {
            Files.createDirectories(dir);
            Path json = dir.resolve(JSON_FILE);
            ObjectNode root = Files.isRegularFile(json) ? (ObjectNode) JSON.readTree(json.toFile()) : JSON.createObjectNode();
            ArrayNode scenarios = root.has("scenarios") ? (ArrayNode) root.get("scenarios") : root.putArray("scenarios");
            ArrayNode kept = JSON.createArrayNode();
            for (JsonNode s : scenarios) {
                if (!entry.name().equals(s.path("name").asText())) {
                    kept.add(s);
                }
            }
            kept.add(JSON.valueToTree(entry));
            root.set("scenarios", kept);
            root.put("profile", System.getProperty("chaos.profile", "ci"));
            JSON.writeValue(json.toFile(), root);
            List<ScenarioEntry> all = new ArrayList<>();
            for (JsonNode s : kept) {
                all.add(JSON.treeToValue(s, ScenarioEntry.class));
            }
            Files.writeString(dir.resolve(HTML_FILE), html(dir, all), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the chaos report in " + dir, e);
        }
    }

    /** Run directories are stored relative to the report directory, so a copied report still finds them. */
    static String html(Path reportDir, List<ScenarioEntry> entries) {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Relocator chaos report</title><style>")
                .append("body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.ok{color:#070}.bad{color:#a00}")
                .append("pre{white-space:pre-wrap;font-size:12px;background:#f6f6f6;padding:6px}</style></head><body>")
                .append("<h1>Relocator chaos report</h1><p>Profile <b>").append(esc(System.getProperty("chaos.profile", "ci")))
                .append("</b>. A negative control runs plain Swarm (no operator) and is expected to be flagged by the checker: ")
                .append("that proves the checker can fail.</p><table><tr><th>scenario</th><th>fault</th><th>operator</th><th>runs</th>")
                .append("<th>double writers</th><th>lost writes</th><th>false moves</th><th>recovery p50/p99/max s</th>")
                .append("<th>valid</th><th>expectation</th><th>met</th></tr>");
        for (ScenarioEntry e : entries) {
            ScenarioEntry.Recovery r = e.recoverySeconds();
            h.append("<tr><td><a href=\"#").append(esc(e.name())).append("\">").append(esc(e.name())).append("</a></td><td>")
                    .append(esc(e.fault())).append("</td><td>").append(e.operator()).append("</td><td>").append(e.runs())
                    .append("</td><td>").append(e.doubleWriterViolations()).append("</td><td>").append(e.lostWrites())
                    .append("</td><td>").append(e.falseRelocations()).append("</td><td>")
                    .append(r.max() == null ? "-" : r.p50() + " / " + r.p99() + " / " + r.max())
                    .append("</td><td class=\"").append(e.valid() ? "ok" : "bad").append("\">").append(e.valid())
                    .append("</td><td>").append(esc(e.expectation())).append("</td><td class=\"")
                    .append(e.expectationMet() ? "ok" : "bad").append("\">").append(e.expectationMet() ? "yes" : "NO").append("</td></tr>");
        }
        h.append("</table>");
        matrix(h, entries);
        for (ScenarioEntry e : entries) {
            h.append("<h2 id=\"").append(esc(e.name())).append("\">").append(esc(e.name())).append("</h2>");
            for (int i = 0; i < e.runDirs().size(); i++) {
                Path dir = reportDir.resolve(e.runDirs().get(i));
                h.append("<h3>run ").append(i + 1).append("</h3><pre>").append(esc(i < e.verdicts().size() ? e.verdicts().get(i) : ""))
                        .append("\n").append(esc(dir.toString())).append("</pre>");
                if (e.matrix() != null && i < e.matrix().runs().size()) {
                    RunSummary rs = e.matrix().runs().get(i);
                    h.append("<details><summary>seed ").append(rs.seed()).append(", relocations ").append(rs.relocations())
                            .append(", recovery to the first acknowledged write ").append(rs.recoverySeconds() == null ? "-" : rs.recoverySeconds() + " s")
                            .append(cost(rs)).append(": timeline</summary><pre>").append(esc(String.join("\n", rs.timeline()))).append("</pre></details>");
                }
                try {
                    RunData run = RunData.load(dir);
                    h.append(Timeline.svg(run, Checker.forRun(run).check(run)));
                } catch (RuntimeException ex) {
                    h.append("<p class=\"bad\">history not readable: ").append(esc(String.valueOf(ex.getMessage()))).append("</p>");
                }
            }
        }
        return h.append("</body></html>").toString();
    }

    /** The per-scenario summary of the operator matrix (entries that carry one). */
    private static void matrix(StringBuilder h, List<ScenarioEntry> entries) {
        List<ScenarioEntry> m = entries.stream().filter(e -> e.matrix() != null).toList();
        if (m.isEmpty()) {
            return;
        }
        h.append("<h2>Operator matrix</h2><p>Recovery: from the fault to the first acknowledged write of the new writer. ")
                .append("Where safety is not claimed (a freeze longer than the lease without an external fence), the scenario shows ")
                .append("what happens; its expectation says so.</p><table><tr><th>scenario</th><th>safety claimed</th><th>runs</th>")
                .append("<th>double writers</th><th>lost acknowledged writes</th><th>unknown writes</th><th>relocations</th>")
                .append("<th>recovery p50 / p99 s</th><th>met</th></tr>");
        for (ScenarioEntry e : m) {
            ScenarioEntry.Recovery r = e.matrix().recoveryToAckSeconds();
            h.append("<tr><td><a href=\"#").append(esc(e.name())).append("\">").append(esc(e.name())).append("</a></td><td>")
                    .append(e.matrix().safetyClaimed() ? "yes" : "no").append("</td><td>").append(e.runs()).append("</td><td>")
                    .append(e.doubleWriterViolations()).append("</td><td>").append(e.lostWrites()).append("</td><td>")
                    .append(e.unknownWrites()).append("</td><td>").append(e.matrix().relocations()).append("</td><td>")
                    .append(r.max() == null ? "-" : r.p50() + " / " + r.p99()).append("</td><td class=\"")
                    .append(e.expectationMet() ? "ok" : "bad").append("\">").append(e.expectationMet() ? "yes" : "NO").append("</td></tr>");
        }
        h.append("</table>");
    }

    /** ", 41.2 s (deploy 7.1, fault 12.0, ...)": what the run cost the build, where measured. */
    static String cost(RunSummary rs) {
        StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT, ", %.1f s", rs.wallSeconds()));
        if (rs.costSeconds() != null && !rs.costSeconds().isEmpty()) {
            b.append(" (");
            rs.costSeconds().forEach((k, v) -> b.append(b.charAt(b.length() - 1) == '(' ? "" : ", ").append(k)
                    .append(String.format(java.util.Locale.ROOT, " %.1f", v)));
            b.append(")");
        }
        return b.toString();
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
