package dev.relocator.core.controller;

import dev.relocator.core.model.NodeInfo;
import dev.relocator.core.model.NodeInfo.Availability;
import dev.relocator.core.model.NodeInfo.SwarmState;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TargetSelectorTest {

    static NodeInfo n(String id, Availability a, SwarmState s, Map<String, String> labels, boolean manager) {
        return new NodeInfo(id, "host-" + id, manager, a, s, labels, false);
    }

    final List<NodeInfo> nodes = List.of(
            n("a", Availability.ACTIVE, SwarmState.READY, Map.of("zone", "x"), true),
            n("b", Availability.ACTIVE, SwarmState.READY, Map.of("zone", "y"), false),
            n("c", Availability.DRAIN, SwarmState.READY, Map.of("zone", "y"), false),
            n("d", Availability.ACTIVE, SwarmState.DOWN, Map.of("zone", "y"), false),
            n("e", Availability.PAUSE, SwarmState.READY, Map.of("zone", "y"), false),
            n("f", Availability.ACTIVE, SwarmState.READY, Map.of("zone", "y"), false));

    @Test
    void onlyActiveReadyLiveNodesThatMatchThePlacement() {
        Optional<String> t = TargetSelector.choose(nodes, List.of("node.labels.zone==y"), null, x -> true, Map.of());
        assertEquals(Optional.of("b"), t);
        assertEquals(Optional.of("f"),
                TargetSelector.choose(nodes, List.of("node.labels.zone==y"), "b", x -> true, Map.of()), "source excluded");
        assertEquals(Optional.empty(),
                TargetSelector.choose(nodes, List.of("node.labels.zone==y"), null, Set.of("a")::contains, Map.of()),
                "a node whose agent holds no lease is never a target");
    }

    @Test
    void spreadsToTheNodeWithFewestAttachmentsThenById() {
        assertEquals(Optional.of("f"), TargetSelector.choose(nodes, List.of(), null, x -> true, Map.of("a", 2, "b", 1)));
        assertEquals(Optional.of("a"), TargetSelector.choose(nodes, List.of(), null, x -> true, Map.of()));
    }

    @Test
    void placementOperatorsAndKeys() {
        NodeInfo a = nodes.get(0);
        assertTrue(Placement.matches(a, List.of("node.role==manager", "node.hostname==host-a", "node.id!=b")));
        assertFalse(Placement.matches(a, List.of("node.labels.zone!=x")));
        assertFalse(Placement.matches(a, List.of("node.labels.missing==v")));
        assertTrue(Placement.matches(a, List.of("node.labels.missing!=v")));
    }

    @Test
    void unreadableConstraintsAreRejectedNotIgnored() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Placement.validate("zone=x"));
        assertTrue(e.getMessage().contains("KEY==VALUE"));
        assertThrows(IllegalArgumentException.class, () -> Placement.validate("engine.labels.x==y"));
    }

    @Test
    void eligibilityMirrorsChoice() {
        assertTrue(TargetSelector.eligible(nodes, List.of(), "b", x -> true));
        assertFalse(TargetSelector.eligible(nodes, List.of(), "c", x -> true), "drained");
        assertFalse(TargetSelector.eligible(nodes, List.of(), "d", x -> true), "down");
        assertFalse(TargetSelector.eligible(nodes, List.of(), "e", x -> true), "paused");
        assertFalse(TargetSelector.eligible(nodes, List.of(), "zz", x -> true), "unknown");
    }
}
