package dev.relocator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.core.DockerClientConfig;
import dev.relocator.docker.events.DockerEvent;
import dev.relocator.docker.events.ObjectKind;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmarks measure only what their inputs make them measure: these checks keep the
 * fixtures on the intended paths as the core evolves (no timing here; speed is JMH's job).
 */
class BenchmarkFixturesTest {

    @Test
    void everyRecordedLineDecodesToAnEventTheOperatorListensTo() throws Exception {
        ObjectMapper docker = DockerClientConfig.getDefaultObjectMapper();
        Map<ObjectKind, Set<String>> seen = new EnumMap<>(ObjectKind.class);
        for (String line : EventLines.lines(240)) {
            DockerEvent e = DockerEvent.decode(docker.readValue(line, Event.class))
                    .orElseThrow(() -> new AssertionError("not decoded: " + line));
            seen.computeIfAbsent(e.ref().kind(), k -> new TreeSet<>()).add(e.action());
            assertTrue(e.timeNano() >= EventLines.T0, line);
        }
        assertEquals(Set.of("die", "destroy", "kill", "oom", "start"), seen.get(ObjectKind.CONTAINER));
        assertEquals(Set.of("mount", "unmount"), seen.get(ObjectKind.VOLUME));
        assertEquals(Set.of("update"), seen.get(ObjectKind.SERVICE));
        assertEquals(Set.of("update"), seen.get(ObjectKind.NODE));
    }

    @Test
    void thePipelineAcceptsEveryLineOfABatchAndTheBaselineReadsThemAll() throws Exception {
        EventDecodeBenchmark b = new EventDecodeBenchmark();
        b.setUp(); // throws unless all BATCH lines pass decode and de-duplication
        assertEquals(EventDecodeBenchmark.BATCH, b.pipeline(null));
    }

    @Test
    void theReconcileWorldsTakeTheIntendedSteps() {
        ReconcileBenchmark.OneInTenFencing mixed = new ReconcileBenchmark.OneInTenFencing();
        mixed.setUp(); // throws unless Attached is "Healthy" and Fencing goes to Detaching
        long writes = mixed.cluster.writes;
        assertEquals("Healthy", mixed.controller.reconcile(mixed.attachedName).why());
        assertEquals(writes, mixed.cluster.writes, "steady state writes nothing");
        assertEquals("FencedAgentConfirmed", mixed.controller.reconcile(mixed.fencingName).why());
        assertEquals(writes + 1, mixed.cluster.writes, "the relocation step is one CAS");

        ReconcileBenchmark.AllAttached steady = new ReconcileBenchmark.AllAttached();
        steady.setUp();
        assertEquals(List.of(), java.util.Arrays.stream(steady.names)
                .map(n -> steady.controller.reconcile(n).why()).filter(w -> !w.equals("Healthy")).toList());
        assertEquals(0, steady.cluster.writes);
    }
}
