package dev.relocator.docker.swarm;

import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementTest {

    @Test
    void pinReplacesEveryOldPinAndKeepsOtherConstraintsInOrder() {
        List<String> before = List.of("node.labels.zone==a", "node.id==old1", "node.role!=manager", "node.id == old2");
        assertEquals(List.of("node.labels.zone==a", "node.role!=manager", "node.id==abc123"), Placement.withPin(before, "abc123"));
        assertEquals(List.of("node.id==abc123"), Placement.withPin(null, "abc123"));
    }

    @Test
    void readsThePinnedNode() {
        assertEquals(Optional.of("n1"), Placement.pinnedNode(List.of("node.labels.zone==a", "node.id==n1")));
        assertEquals(Optional.of("n1"), Placement.pinnedNode(List.of(" node.id == n1 ", "node.id==n1")));
        assertEquals(Optional.empty(), Placement.pinnedNode(List.of("node.hostname==n1", "node.id!=n1")));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Placement.pinnedNode(List.of("node.id==a", "node.id==b")));
        assertTrue(e.getMessage().contains("two different node pins"));
    }

    @Test
    void rejectsANodeIdThatWouldInjectAConstraint() {
        assertThrows(IllegalArgumentException.class, () -> Placement.pinConstraint("n1 && node.role==manager"));
        assertThrows(IllegalArgumentException.class, () -> Placement.pinConstraint(""));
        assertThrows(IllegalArgumentException.class, () -> Placement.pinConstraint(null));
        assertFalse(Placement.isPin("node.id!=x"));
    }

    @Test
    void pinsASpecInPlaceCreatingThePlacement() {
        ServiceSpec spec = new ServiceSpec().withName("db").withTaskTemplate(new TaskSpec().withContainerSpec(new ContainerSpec().withImage("x")));
        Placement.pin(spec, "n2");
        assertEquals(List.of("node.id==n2"), spec.getTaskTemplate().getPlacement().getConstraints());
        Placement.pin(spec, "n3");
        assertEquals(List.of("node.id==n3"), spec.getTaskTemplate().getPlacement().getConstraints());
        assertThrows(IllegalArgumentException.class, () -> Placement.pin(new ServiceSpec().withName("bare"), "n1"));
    }

    @Test
    void attachmentLabelsAreMergedAndValidated() {
        Map<String, String> labels = RelocatorLabels.withAttachment(Map.of("team", "shop", RelocatorLabels.VOLUME, "pg"), "n1", 7, "Attached");
        assertEquals("shop", labels.get("team"));
        assertEquals("pg", labels.get(RelocatorLabels.VOLUME));
        assertEquals("n1", labels.get(RelocatorLabels.NODE));
        assertEquals(OptionalLong.of(7), RelocatorLabels.epoch(labels));
        assertThrows(IllegalArgumentException.class, () -> RelocatorLabels.withAttachment(Map.of(), "n1", -1, "Attached"));
        assertThrows(IllegalArgumentException.class, () -> RelocatorLabels.withAttachment(Map.of(), "bad id", 1, "Attached"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RelocatorLabels.epoch(Map.of(RelocatorLabels.EPOCH, "seven")));
        assertTrue(e.getMessage().contains(RelocatorLabels.EPOCH));
        assertEquals(OptionalLong.empty(), RelocatorLabels.epoch(Map.of()));
    }

    @Test
    void relocatableVolumesAreTheLabelledOnes() {
        assertTrue(RelocatorLabels.isRelocatableVolume(Map.of(RelocatorLabels.RELOCATABLE, "true")));
        assertTrue(RelocatorLabels.isRelocatableVolume(Map.of(RelocatorLabels.MANAGED, "true")));
        assertFalse(RelocatorLabels.isRelocatableVolume(Map.of(RelocatorLabels.RELOCATABLE, "false")));
        assertFalse(RelocatorLabels.isRelocatableVolume(null));
        assertEquals("pg-data_1", RelocatorLabels.requireVolumeName("pg-data_1"));
        assertThrows(IllegalArgumentException.class, () -> RelocatorLabels.requireVolumeName("../etc"));
        assertThrows(IllegalArgumentException.class, () -> RelocatorLabels.requireVolumeName("a"));
    }

    @Test
    void outOfSequenceIsRecognisedAnywhereInTheCauseChain() {
        assertTrue(SwarmAdapter.isOutOfSequence(new RuntimeException("wrap", new RuntimeException("rpc error: code = Unknown desc = update out of sequence"))));
        assertFalse(SwarmAdapter.isOutOfSequence(new RuntimeException("no such service")));
    }
}
