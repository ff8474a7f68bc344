package dev.relocator.app.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.core.model.FenceEvidence;
import dev.relocator.core.model.Phase;
import dev.relocator.core.model.VolumeState;
import dev.relocator.core.model.VolumeStatus;
import dev.relocator.crd.Resources;
import dev.relocator.crd.model.Status;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatusBuilderTest {

    private static final Instant T = Instant.parse("2026-12-04T23:00:00Z");

    private static VolumeState state(Phase p, long epoch, String node, String target) {
        return new VolumeState(p, epoch, node, target, T, "Why", FenceEvidence.NONE, 0, p == Phase.FAILED ? Phase.ATTACHING : null);
    }

    private static JsonNode cond(ObjectNode status, String type) {
        for (JsonNode c : status.get("conditions")) {
            if (c.path("type").asText().equals(type)) {
                return c;
            }
        }
        throw new AssertionError("no condition " + type + " in " + status);
    }

    @Test
    void attachedIsReadyAndNotRelocatingNorDegraded() {
        ObjectNode s = StatusBuilder.of(new VolumeStatus("pg", state(Phase.ATTACHED, 3, "n1", null), null, null, null), 7, false);
        assertEquals("Attached", s.path("phase").asText());
        assertEquals("n1", s.path("node").asText());
        assertEquals(3, s.path("epoch").asLong());
        assertEquals(7, s.path("observedGeneration").asLong());
        assertEquals("True", cond(s, "Ready").path("status").asText());
        assertEquals("Attached", cond(s, "Ready").path("reason").asText());
        assertEquals("False", cond(s, "Relocating").path("status").asText());
        assertEquals("Settled", cond(s, "Relocating").path("reason").asText());
        assertEquals("False", cond(s, "Degraded").path("status").asText());
        assertEquals("AsExpected", cond(s, "Degraded").path("reason").asText());
    }

    @Test
    void theStatusReadsBackIntoTheCrdModelOnceTheStoreStampedTheTimes() throws Exception {
        ObjectNode s = StatusBuilder.of(new VolumeStatus("pg", state(Phase.ATTACHED, 3, "n1", null), null, null,
                new VolumeStatus.LastRelocation("n0", "n1", "PlannedMove", T, T.plusSeconds(4), Duration.ofMillis(3500))), 7, false);
        s.get("conditions").forEach(c -> ((ObjectNode) c).put("lastTransitionTime", T.toString()));
        Status st = Resources.jsonMapper().treeToValue(s, Status.class);
        assertEquals(Status.Phase.Attached, st.phase());
        assertEquals(3.5, st.lastRelocation().downtimeSeconds());
        assertEquals("n0", st.lastRelocation().from());
        assertEquals(3, st.conditions().size());
    }

    @Test
    void aRelocationInFlightIsRelocatingWithThePhaseAsReason() {
        for (Phase p : new Phase[]{Phase.FENCING, Phase.DETACHING, Phase.ATTACHING, Phase.STARTING}) {
            ObjectNode s = StatusBuilder.of(new VolumeStatus("pg", state(p, 2, "n1", "n2"), null, null, null), 1, false);
            assertEquals("True", cond(s, "Relocating").path("status").asText(), p.label());
            assertEquals(p.label(), cond(s, "Relocating").path("reason").asText());
            assertEquals("False", cond(s, "Ready").path("status").asText());
            assertEquals(p.label(), cond(s, "Ready").path("reason").asText());
        }
    }

    @Test
    void pausedIsAReasonNotADegradation() {
        ObjectNode s = StatusBuilder.of(new VolumeStatus("pg", state(Phase.ATTACHED, 1, "n1", null), "Paused", "paused by the user", null),
                2, true);
        assertEquals("True", cond(s, "Ready").path("status").asText());
        assertEquals("Paused", cond(s, "Relocating").path("reason").asText());
        assertTrue(cond(s, "Relocating").path("message").asText().contains("spec.paused"));
        assertEquals("False", cond(s, "Degraded").path("status").asText());
    }

    /** The controller's hold reason under RelocatorConfig maintenance is MaintenanceMode: a choice, like Paused. */
    @Test
    void maintenanceIsAReasonNotADegradationAndNamesWhatItHolds() {
        String detail = "the cluster is in maintenance mode (kernel upgrades): no relocation starts; end maintenance to resume;"
                + " held: LeaseExpired of node n1";
        ObjectNode s = StatusBuilder.of(new VolumeStatus("pg", state(Phase.ATTACHED, 1, "n1", null), "MaintenanceMode", detail, null),
                2, false);
        assertEquals("True", cond(s, "Ready").path("status").asText(), s.toString());
        assertEquals("False", cond(s, "Degraded").path("status").asText(), s.toString());
        assertEquals("False", cond(s, "Relocating").path("status").asText());
        assertEquals("MaintenanceMode", cond(s, "Relocating").path("reason").asText());
        assertEquals(detail, cond(s, "Relocating").path("message").asText());
    }

    @Test
    void aPausedVolumeNamesTheMoveItHoldsBack() {
        ObjectNode s = StatusBuilder.of(new VolumeStatus("pg", state(Phase.ATTACHED, 1, "n1", null), "Paused",
                "spec.paused is true: no relocation starts; set it to false to resume; held: LeaseExpired of node n1", null), 2, true);
        assertEquals("Paused", cond(s, "Relocating").path("reason").asText());
        assertTrue(cond(s, "Relocating").path("message").asText().endsWith("; held: LeaseExpired of node n1"),
                cond(s, "Relocating").toString());
        assertEquals("False", cond(s, "Degraded").path("status").asText());
    }

    @Test
    void aRefusedMoveIsDegradedWithTheControllersReasonAndMessage() {
        ObjectNode s = StatusBuilder.of(new VolumeStatus("pg", state(Phase.ATTACHED, 1, "n1", null), "TargetUnavailable",
                "node n9 is down; pick another node", null), 2, false);
        assertEquals("True", cond(s, "Degraded").path("status").asText());
        assertEquals("TargetUnavailable", cond(s, "Degraded").path("reason").asText());
        assertEquals("node n9 is down; pick another node", cond(s, "Degraded").path("message").asText());
        assertEquals("False", cond(s, "Ready").path("status").asText());
        assertEquals("TargetUnavailable", cond(s, "Ready").path("reason").asText());
    }

    @Test
    void failedIsDegraded() {
        ObjectNode s = StatusBuilder.of(new VolumeStatus("pg", state(Phase.FAILED, 1, "n1", "n2"), null, null, null), 2, false);
        assertEquals("True", cond(s, "Degraded").path("status").asText());
        assertEquals("Why", cond(s, "Degraded").path("reason").asText());
        assertTrue(cond(s, "Degraded").path("message").asText().contains("Attaching"));
    }

    @Test
    void anInvalidSpecKeepsThePhaseAndTheRunningGeneration() {
        ObjectNode prev = StatusBuilder.of(new VolumeStatus("pg", state(Phase.ATTACHED, 4, "n1", null), null, null, null), 2, false);
        ObjectNode s = StatusBuilder.invalid(prev, new SpecMapper.Invalid("spec.placement.constraints", "bad"), 2L);
        assertEquals("Attached", s.path("phase").asText());
        assertEquals(4, s.path("epoch").asLong());
        assertEquals(2, s.path("observedGeneration").asLong());
        assertEquals("InvalidSpec", cond(s, "Degraded").path("reason").asText());
        assertTrue(cond(s, "Degraded").path("message").asText().startsWith("spec.placement.constraints: bad"));
        assertTrue(cond(s, "Degraded").path("message").asText().contains("keeps running generation 2"));
        ObjectNode never = StatusBuilder.invalid(Resources.jsonMapper().createObjectNode(), new SpecMapper.Invalid("spec", "x"), null);
        assertFalse(never.has("phase"));
        assertEquals("InvalidSpec", cond(never, "Ready").path("reason").asText());
    }

    @Test
    void onlyTransitionTimesAreIgnoredWhenComparing() {
        ObjectNode a = StatusBuilder.of(new VolumeStatus("pg", state(Phase.ATTACHED, 1, "n1", null), null, null, null), 1, false);
        ObjectNode b = a.deepCopy();
        b.get("conditions").forEach(c -> ((ObjectNode) c).put("lastTransitionTime", T.toString()));
        assertFalse(StatusBuilder.differs(b, a));
        b.put("epoch", 2);
        assertTrue(StatusBuilder.differs(b, a));
    }
}
