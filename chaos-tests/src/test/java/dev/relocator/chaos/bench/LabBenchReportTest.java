package dev.relocator.chaos.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabBenchReportTest {

    private static Map<String, Object> run(String system, String fault, long takeover, int doubleWriters, Map<String, Object> extra) {
        Map<String, Object> r = new LinkedHashMap<>(Map.of("system", system, "fault", fault, "takeoverMs", takeover,
                "doubleWriters", doubleWriters, "overlapMs", doubleWriters * 4000L, "lostWrites", 0, "acked", 50, "load1Before", 4.0));
        r.putAll(extra);
        return r;
    }

    @Test
    @SuppressWarnings("unchecked")
    void percentilesRatioAndCountsPerSystemAndFault() {
        List<Map<String, Object>> fo = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            fo.add(run("relocator", "partition", 5000 + i * 100, 0,
                    Map.of("leaseDownMs", 4000, "fencingAfterLeaseDownMs", 20 * i, "phasesMs", Map.of("Fencing", 4100, "Attached", 6000))));
            fo.add(run("swarm", "partition", 16000 + i * 100, 1, Map.of("dockerNodeDownMs", 12500)));
            // an earlier run's node-down event (before this fault): not this run's Docker figure
            fo.add(run("relocator", "crash", 6000, 0, Map.of("dockerNodeDownMs", i == 1 ? -50_000 : 11_000,
                    "fencingAfterDockerDownMs", i == 1 ? 54_000 : -6_500)));
        }
        fo.add(new LinkedHashMap<>(Map.of("system", "swarm", "fault", "partition", "error", "no new writer")));
        Map<String, Object> s = LabBenchReport.summarise(fo, List.of(), List.of(Map.of("latencyMs", List.of(3, 5, 40))), List.of());
        Map<String, Object> f = (Map<String, Object>) s.get("failover");
        Map<String, Object> rel = (Map<String, Object>) f.get("partition/relocator");
        Map<String, Object> sw = (Map<String, Object>) f.get("partition/swarm");
        assertEquals(5.25, ((Map<String, Object>) rel.get("takeoverSeconds")).get("p50"));
        assertEquals(5.4, ((Map<String, Object>) rel.get("takeoverSeconds")).get("p99"));
        assertEquals(0L, rel.get("runsWithDoubleWriter"));
        assertEquals(4L, sw.get("runsWithDoubleWriter"));
        assertEquals(5, sw.get("runs"));
        assertEquals(1L, sw.get("errors"));
        assertEquals(16.25 / 5.25, (double) f.get("partition/ratioSwarmToRelocatorP50"), 1e-9);
        assertEquals(4.1, ((Map<String, Object>) ((Map<String, Object>) rel.get("phasesSeconds")).get("Fencing")).get("p50"));
        assertEquals(5.0, ((Map<String, Object>) s.get("kafkaLatencyMs")).get("p50"));
        Map<String, Object> crash = (Map<String, Object>) f.get("crash/relocator");
        assertEquals(3, ((Map<String, Object>) crash.get("dockerNodeDownSeconds")).get("n"));
        assertEquals(-6500.0, ((Map<String, Object>) crash.get("fencingAfterDockerDownMs")).get("max"));
        assertEquals(4, ((Map<String, Object>) crash.get("takeoverSeconds")).get("n"));
        String md = LabBenchReport.markdown(s);
        assertTrue(md.contains("| partition | relocator | 4 | 5.25 s |"), md);
        assertTrue(md.contains("| partition | swarm | 5 (1 failed) | 16.25 s |"), md);
        assertTrue(md.contains("**3.10×**"), md);
    }
}
