package dev.relocator.chaos.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Turns the JSON lines of {@link LabBench} into {@code summary.json} and {@code summary.md}
 * (percentiles, counts, ratios). Separate from running, so a stored session can be summarised
 * again: {@code LabBenchReport <out dir>}.
 */
public final class LabBenchReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LabBenchReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1 || !Files.isDirectory(Path.of(args[0]))) {
            System.err.println("usage: LabBenchReport <directory written by LabBench (holds failover.jsonl, mass.jsonl, kafka.jsonl)>");
            System.exit(64);
        }
        Path dir = Path.of(args[0]);
        Map<String, Object> summary = summarise(read(dir.resolve("failover.jsonl")), read(dir.resolve("mass.jsonl")),
                read(dir.resolve("kafka.jsonl")), read(dir.resolve("session.jsonl")));
        Files.writeString(dir.resolve("summary.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary), StandardCharsets.UTF_8);
        String md = markdown(summary);
        Files.writeString(dir.resolve("summary.md"), md, StandardCharsets.UTF_8);
        System.out.println(md);
    }

    static List<Map<String, Object>> read(Path f) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.exists(f)) {
            return out;
        }
        for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            if (!l.isBlank()) {
                out.add(JSON.readValue(l, new TypeReference<Map<String, Object>>() { }));
            }
        }
        return out;
    }

    static Map<String, Object> summarise(List<Map<String, Object>> failover, List<Map<String, Object>> mass,
                                         List<Map<String, Object>> kafka, List<Map<String, Object>> session) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("session", session);
        Map<String, Object> fo = new LinkedHashMap<>();
        Map<String, Double> p50 = new LinkedHashMap<>();
        for (String fault : List.of("crash", "partition")) {
            for (String system : List.of("relocator", "swarm")) {
                List<Map<String, Object>> rs = failover.stream().filter(r -> fault.equals(r.get("fault")) && system.equals(r.get("system"))).toList();
                if (rs.isEmpty()) {
                    continue;
                }
                Map<String, Object> g = new LinkedHashMap<>();
                g.put("runs", rs.size());
                g.put("errors", rs.stream().filter(r -> r.containsKey("error")).count());
                List<Double> t = seconds(rs, "takeoverMs");
                g.put("takeoverSeconds", Percentiles.summary(t));
                g.put("runsWithDoubleWriter", rs.stream().filter(r -> num(r, "doubleWriters") > 0).count());
                g.put("doubleWriterPairs", rs.stream().mapToLong(r -> (long) num(r, "doubleWriters")).sum());
                g.put("overlapSeconds", Percentiles.summary(seconds(rs.stream().filter(r -> num(r, "doubleWriters") > 0).toList(), "overlapMs")));
                g.put("lostWrites", rs.stream().mapToLong(r -> (long) num(r, "lostWrites")).sum());
                g.put("acked", rs.stream().mapToLong(r -> (long) num(r, "acked")).sum());
                g.put("load1", Percentiles.summary(values(rs, "load1Before")));
                if (system.equals("relocator")) {
                    g.put("leaseDownSeconds", Percentiles.summary(seconds(rs, "leaseDownMs")));
                    g.put("fencingAfterLeaseDownMs", Percentiles.summary(values(rs, "fencingAfterLeaseDownMs")));
                    g.put("phasesSeconds", phases(rs));
                }
                g.put("dockerNodeDownSeconds", Percentiles.summary(seconds(rs, "dockerNodeDownMs")));
                if (system.equals("relocator")) {
                    g.put("fencingAfterDockerDownMs", Percentiles.summary(values(rs, "fencingAfterDockerDownMs")));
                }
                if (!t.isEmpty()) {
                    p50.put(fault + "/" + system, Percentiles.median(t));
                }
                fo.put(fault + "/" + system, g);
            }
            if (p50.containsKey(fault + "/relocator") && p50.containsKey(fault + "/swarm")) {
                fo.put(fault + "/ratioSwarmToRelocatorP50", p50.get(fault + "/swarm") / p50.get(fault + "/relocator"));
            }
        }
        s.put("failover", fo);
        List<Map<String, Object>> ms = new ArrayList<>();
        for (Map<String, Object> m : mass) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> per = (List<Map<String, Object>>) m.getOrDefault("perWorkload", List.of());
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("workloads", m.get("workloads"));
            g.put("rep", m.get("rep"));
            g.put("error", m.get("error"));
            g.put("takenOver", per.stream().filter(r -> r.get("takeoverMs") != null).count());
            g.put("takeoverSeconds", Percentiles.summary(seconds(per, "takeoverMs")));
            g.put("doubleWriterPairs", per.stream().mapToLong(r -> (long) num(r, "doubleWriters")).sum());
            g.put("lostWrites", per.stream().mapToLong(r -> (long) num(r, "lostWrites")).sum());
            g.put("acked", per.stream().mapToLong(r -> (long) num(r, "acked")).sum());
            g.put("leaseDownSeconds", Percentiles.summary(seconds(per, "leaseDownMs")));
            g.put("fencingAfterLeaseDownMs", Percentiles.summary(values(per, "fencingAfterLeaseDownMs")));
            g.put("phasesSeconds", phases(per));
            g.put("load1", List.of(m.get("load1Before"), m.get("load1After")));
            g.put("writersRssMiB", m.get("rssBeforeMiB"));
            ms.add(g);
        }
        s.put("mass", ms);
        List<Double> lat = new ArrayList<>();
        for (Map<String, Object> k : kafka) {
            @SuppressWarnings("unchecked")
            List<Number> l = (List<Number>) k.getOrDefault("latencyMs", List.of());
            l.forEach(x -> lat.add(x.doubleValue()));
        }
        s.put("kafkaLatencyMs", Percentiles.summary(lat));
        return s;
    }

    /** Per phase, the distribution over runs (or workloads) of fault → the phase's first event, seconds. */
    private static Map<String, Object> phases(List<Map<String, Object>> rs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String ph : List.of("Fencing", "Detaching", "Attaching", "Starting", "Attached")) {
            List<Double> v = new ArrayList<>();
            for (Map<String, Object> r : rs) {
                if (r.get("phasesMs") instanceof Map<?, ?> m && m.get(ph) instanceof Number n) {
                    v.add(n.doubleValue() / 1000.0);
                }
            }
            out.put(ph, Percentiles.summary(v));
        }
        return out;
    }

    private static List<Double> values(List<Map<String, Object>> rs, String key) {
        return rs.stream().filter(r -> !key.contains("DockerDown") && !key.equals("dockerNodeDownMs") || dockerEventOfThisRun(r))
                .map(r -> r.get(key)).filter(Objects::nonNull).map(x -> ((Number) x).doubleValue()).toList();
    }

    /**
     * Sessions before the fix looked for the Docker node-down event from two minutes before the fault
     * and could pick the same node's event of an earlier run. A node-down before the fault is that and
     * says nothing about this run: its Docker-event figures are left out, its other figures stay.
     */
    static boolean dockerEventOfThisRun(Map<String, Object> r) {
        return r.get("dockerNodeDownMs") instanceof Number n && n.doubleValue() >= 0;
    }

    private static List<Double> seconds(List<Map<String, Object>> rs, String key) {
        return values(rs, key).stream().map(x -> x / 1000.0).toList();
    }

    private static double num(Map<String, Object> r, String key) {
        return r.get(key) instanceof Number n ? n.doubleValue() : 0;
    }

    // ------------------------------------------------------------------ markdown

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> s) {
        StringBuilder b = new StringBuilder();
        Map<String, Object> fo = (Map<String, Object>) s.get("failover");
        if (!fo.isEmpty()) {
            b.append("### Failover time (fault → first acknowledged write of the new writer)\n\n");
            b.append("| fault | system | runs | p50 | p90 | p99 | max | runs with double writer | lost acked writes | load1 median |\n");
            b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            fo.forEach((k, v) -> {
                if (v instanceof Map<?, ?> g) {
                    Map<String, Object> t = (Map<String, Object>) g.get("takeoverSeconds");
                    String[] kv = k.split("/");
                    b.append("| ").append(kv[0]).append(" | ").append(kv[1]).append(" | ").append(g.get("runs"))
                            .append(errors(g)).append(" | ").append(sec(t, "p50")).append(" | ").append(sec(t, "p90"))
                            .append(" | ").append(sec(t, "p99")).append(" | ").append(sec(t, "max")).append(" | ")
                            .append(g.get("runsWithDoubleWriter")).append(" | ").append(g.get("lostWrites")).append(" / ").append(g.get("acked"))
                            .append(" | ").append(fmt(((Map<String, Object>) g.get("load1")).get("p50"))).append(" |\n");
                }
            });
            fo.forEach((k, v) -> {
                if (v instanceof Number r) {
                    b.append("\nRatio plain Swarm / Relocator, p50, ").append(k.split("/")[0]).append(": **")
                            .append(String.format(Locale.ROOT, "%.2f", r.doubleValue())).append("×**");
                }
            });
            b.append("\n\n### Event-to-action lag (Relocator runs)\n\n");
            b.append("| fault | fault → controller sees lease expired (health `Down`) p50 / p99 | lease `Down` → Fencing CAS p50 / p99 / max | "
                    + "fault → Docker node-down event p50 / p99 | Docker node-down → Fencing CAS p50 / p99 |\n|---|---:|---:|---:|---:|\n");
            fo.forEach((k, v) -> {
                if (v instanceof Map<?, ?> g && k.endsWith("/relocator")) {
                    b.append("| ").append(k.split("/")[0]).append(" | ")
                            .append(sec((Map<String, Object>) g.get("leaseDownSeconds"), "p50")).append(" / ")
                            .append(sec((Map<String, Object>) g.get("leaseDownSeconds"), "p99")).append(" | ")
                            .append(ms((Map<String, Object>) g.get("fencingAfterLeaseDownMs"), "p50")).append(" / ")
                            .append(ms((Map<String, Object>) g.get("fencingAfterLeaseDownMs"), "p99")).append(" / ")
                            .append(ms((Map<String, Object>) g.get("fencingAfterLeaseDownMs"), "max")).append(" | ")
                            .append(sec((Map<String, Object>) g.get("dockerNodeDownSeconds"), "p50")).append(" / ")
                            .append(sec((Map<String, Object>) g.get("dockerNodeDownSeconds"), "p99")).append(" | ")
                            .append(ms((Map<String, Object>) g.get("fencingAfterDockerDownMs"), "p50")).append(" / ")
                            .append(ms((Map<String, Object>) g.get("fencingAfterDockerDownMs"), "p99")).append(" |\n");
                }
            });
            b.append("\n### Relocation phases (fault → first event of the phase, p50 over runs)\n\n| fault | Fencing | Detaching | Attaching | Starting | Attached |\n|---|---:|---:|---:|---:|---:|\n");
            fo.forEach((k, v) -> {
                if (v instanceof Map<?, ?> g && k.endsWith("/relocator")) {
                    b.append("| ").append(k.split("/")[0]);
                    ((Map<String, Object>) g.get("phasesSeconds")).forEach((ph, d) -> b.append(" | ").append(sec((Map<String, Object>) d, "p50")));
                    b.append(" |\n");
                }
            });
        }
        List<Map<String, Object>> mass = (List<Map<String, Object>>) s.get("mass");
        if (!mass.isEmpty()) {
            b.append("\n### Mass failover (one worker with N relocatable writers crashes)\n\n");
            b.append("| N | taken over | per-workload p50 | p90 | p99 | last (max) | double writers | lost acked writes | "
                    + "Fencing first – last | Starting first – last | Attached first – last | load1 before / after |\n");
            b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Map<String, Object> g : mass) {
                Map<String, Object> t = (Map<String, Object>) g.get("takeoverSeconds");
                Map<String, Object> ph = (Map<String, Object>) g.get("phasesSeconds");
                Function<String, String> span = p -> sec((Map<String, Object>) ph.get(p), "min") + " – " + sec((Map<String, Object>) ph.get(p), "max");
                List<Object> load = (List<Object>) g.get("load1");
                b.append("| ").append(g.get("workloads")).append(" | ").append(g.get("takenOver")).append(" | ")
                        .append(sec(t, "p50")).append(" | ").append(sec(t, "p90")).append(" | ").append(sec(t, "p99")).append(" | ")
                        .append(sec(t, "max")).append(" | ").append(g.get("doubleWriterPairs")).append(" | ")
                        .append(g.get("lostWrites")).append(" / ").append(g.get("acked")).append(" | ")
                        .append(span.apply("Fencing")).append(" | ").append(span.apply("Starting")).append(" | ").append(span.apply("Attached"))
                        .append(" | ").append(fmt(load.get(0))).append(" / ").append(fmt(load.get(1))).append(" |\n");
            }
        }
        Map<String, Object> k = (Map<String, Object>) s.get("kafkaLatency" + "Ms");
        if (k != null && ((Number) k.get("n")).intValue() > 0) {
            b.append("\n### Kafka: state change (`time` set at publish) → received by a consumer on the host\n\n");
            b.append("| events | p50 | p90 | p99 | max |\n|---:|---:|---:|---:|---:|\n");
            b.append("| ").append(k.get("n")).append(" | ").append(ms(k, "p50")).append(" | ").append(ms(k, "p90")).append(" | ")
                    .append(ms(k, "p99")).append(" | ").append(ms(k, "max")).append(" |\n");
        }
        return b.toString();
    }

    private static String errors(Map<?, ?> g) {
        Object e = g.get("errors");
        return e instanceof Number n && n.longValue() > 0 ? " (" + n + " failed)" : "";
    }

    private static String sec(Map<String, Object> m, String k) {
        return m != null && m.get(k) instanceof Number n ? String.format(Locale.ROOT, "%.2f s", n.doubleValue()) : "—";
    }

    private static String ms(Map<String, Object> m, String k) {
        return m != null && m.get(k) instanceof Number n ? String.format(Locale.ROOT, "%.0f ms", n.doubleValue()) : "—";
    }

    private static String fmt(Object o) {
        return o instanceof Number n ? String.format(Locale.ROOT, "%.1f", n.doubleValue()) : "—";
    }
}
