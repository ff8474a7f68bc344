package dev.relocator.docker.swarm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RawSpecsTest {

    private ObjectNode spec() throws Exception {
        return (ObjectNode) new ObjectMapper().readTree("""
                {"Name":"db","Labels":{"team":"shop","relocator.dev/volume":"pg","relocator.dev/target":"/data","status.relocator.dev/epoch":"3","status.relocator.dev/target":"n9"},
                 "TaskTemplate":{"ContainerSpec":{"Image":"pg","Ulimits":[{"Name":"nofile","Soft":1,"Hard":2}]},
                                 "Placement":{"Constraints":["node.labels.zone==a","node.id==n1"]}},
                 "Mode":{"Replicated":{"Replicas":1}}}""");
    }

    @Test
    void replacesOnlyRelocatorLabelsConstraintsAndReplicas() throws Exception {
        ObjectNode spec = spec();
        RawSpecs.replaceRelocatorLabels(spec, Map.of("status.relocator.dev/epoch", "4", "status.relocator.dev/phase", "Starting"));
        RawSpecs.setConstraints(spec, Placement.withPin(RawSpecs.constraints(spec), "n2"));
        RawSpecs.setReplicas(spec, 0);
        assertEquals("shop", spec.at("/Labels/team").asText());
        assertEquals("pg", spec.at("/Labels/relocator.dev~1volume").asText(), "the opt-in label stays");
        assertEquals("4", spec.at("/Labels/status.relocator.dev~1epoch").asText());
        assertFalse(spec.at("/Labels").has("status.relocator.dev/target"), "a relocation label not in the new set is removed");
        assertEquals("/data", spec.at("/Labels/relocator.dev~1target").asText(), "the user's shorthand declaration is never touched");
        assertEquals(List.of("node.labels.zone==a", "node.id==n2"), RawSpecs.constraints(spec));
        assertEquals(0, spec.at("/Mode/Replicated/Replicas").asInt());
        assertEquals(2, spec.at("/TaskTemplate/ContainerSpec/Ulimits/0/Hard").asInt(), "untouched fields survive");
    }

    @Test
    void refusesForeignLabelsAndGlobalServices() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> RawSpecs.replaceRelocatorLabels(spec(), Map.of("team", "x")));
        ObjectNode global = (ObjectNode) new ObjectMapper().readTree("{\"Name\":\"g\",\"Mode\":{\"Global\":{}}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RawSpecs.setReplicas(global, 1));
        assertEquals(true, e.getMessage().contains("--replicas 1"));
    }
}
