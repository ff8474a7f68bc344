package dev.relocator.core.model;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VolumeStateTest {

    static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void labelsRoundTrip() {
        VolumeState s = new VolumeState(Phase.ATTACHING, 7, "a", "b", T, "Detached", FenceEvidence.LEASE_EXPIRED, 2, null);
        assertEquals(s, VolumeState.fromLabels(s.toLabels(), T.plusSeconds(99)));
        VolumeState f = s.failed(T, "NoEligibleNode");
        assertEquals(f, VolumeState.fromLabels(f.toLabels(), T));
        assertEquals(Phase.ATTACHING, f.failedFrom());
    }

    @Test
    void theRevisionIsAboveTheLastOneAndTheVersionReadAndMalformedOnesAreRejected() {
        assertEquals(0, VolumeState.revisionOf(Map.of()));
        assertEquals(42, VolumeState.revisionOf(Map.of(Labels.REVISION, "42")));
        assertEquals(43, VolumeState.nextRevision(42, 17));
        assertEquals(18, VolumeState.nextRevision(0, 17), "labels removed to re-adopt: restart above the version");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VolumeState.revisionOf(Map.of(Labels.REVISION, "-1")));
        assertTrue(e.getMessage().contains(Labels.REVISION), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VolumeState.revisionOf(Map.of(Labels.REVISION, "x")));
    }

    @Test
    void replicasAndPinFollowThePhase() {
        assertEquals(0, VolumeState.pending(T).replicas());
        assertNull(VolumeState.pending(T).pinnedNode());
        VolumeState att = new VolumeState(Phase.ATTACHED, 3, "a", null, T, "", null, 0, null);
        assertEquals(1, att.replicas());
        assertEquals("a", att.pinnedNode());
        assertEquals(new Attachment("vol", "a", 3), att.grantedAttachment("vol"));
        for (Phase p : List.of(Phase.FENCING, Phase.DETACHING)) {
            VolumeState s = att.to(p, T, "x");
            assertEquals(0, s.replicas(), p.label());
            assertEquals("a", s.pinnedNode(), "the pin stays on the source until Starting: " + p.label());
            assertNull(s.grantedAttachment("vol"));
        }
        VolumeState first = new VolumeState(Phase.ATTACHING, 0, null, "b", T, "", null, 0, null);
        assertEquals("b", first.pinnedNode());
        VolumeState starting = new VolumeState(Phase.STARTING, 4, "b", "b", T, "", null, 0, null);
        assertEquals(1, starting.replicas());
        assertEquals("b", starting.pinnedNode());
    }

    @Test
    void noLabelsMeansPending() {
        assertEquals(Phase.PENDING, VolumeState.fromLabels(Map.of(), T).phase());
    }

    @Test
    void malformedLabelsAreRejectedNamingTheFix() {
        Map<String, String> l = new HashMap<>(new VolumeState(Phase.ATTACHED, 3, "a", null, T, "", null, 0, null).toLabels());
        l.put(Labels.EPOCH, "three");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VolumeState.fromLabels(l, T));
        assertTrue(e.getMessage().contains("re-adopt"), e.getMessage());
        l.put(Labels.EPOCH, "3");
        l.put(Labels.PHASE, "Moving");
        assertThrows(IllegalArgumentException.class, () -> VolumeState.fromLabels(l, T));
    }

    @Test
    void invariantsOfTheRecord() {
        assertThrows(IllegalArgumentException.class, () -> new VolumeState(Phase.ATTACHED, 0, "a", null, T, "", null, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new VolumeState(Phase.STARTING, 2, "a", null, T, "", null, 0, null));
        assertThrows(IllegalArgumentException.class, () -> new Attachment("v", "a", 0));
    }

    @Test
    void specValidation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VolumeSpec("x", "s", "v",
                "local", null, "/d", null, null, null, false, List.of("node.id==abc"), null));
        assertTrue(e.getMessage().contains("owns the node.id pin"));
        assertThrows(IllegalArgumentException.class, () -> new VolumeSpec("x", "s", "v", "local", null, "relative", null,
                null, null, false, null, null));
        assertThrows(IllegalArgumentException.class, () -> new VolumeSpec.Ownership(1, 1, "rwx"));
    }
}
