package dev.relocator.core.lease;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerMajorityTest {

    /** The safety core of the rule: any permit's "lost" set and any proven set share a node. */
    @Test
    void aPermitAndTheControllersProofAlwaysIntersect() {
        for (int peers = 1; peers <= 20; peers++) {
            int n = peers + 1;
            int lostWithSelf = PeerMajority.agentNeedsLostPeers(peers) + 1;
            int proven = PeerMajority.controllerNeedsProvenPeers(peers);
            assertTrue(lostWithSelf > n / 2, "a permit needs a strict majority, N=" + n);
            // the source is in the lost set and never in the proven set: the sets live in N and N-1 nodes
            assertTrue((lostWithSelf - 1) + proven > peers, "intersection among the peers, N=" + n);
            assertTrue(proven <= peers, "lease-only fencing stays possible with every peer healthy, N=" + n);
        }
        assertEquals(Integer.MAX_VALUE, PeerMajority.agentNeedsLostPeers(0), "a single node never skips fencing");
        assertEquals(2, PeerMajority.agentNeedsLostPeers(4));
        assertEquals(3, PeerMajority.controllerNeedsProvenPeers(4));
        assertEquals(1, PeerMajority.controllerNeedsProvenPeers(1));
    }

    @Test
    void theLostPointPrecedesTheFencePointByTheLostLead() {
        LeaseTiming t = LeaseTiming.DEFAULT;
        PeerMajority p = PeerMajority.DEFAULT;
        assertEquals(t.agentFencePoint(10_000_000_000L) - 1_200_000_000L, p.lostPoint(t, 10_000_000_000L));
        assertTrue(p.controllerWindowNanos(t) > p.permitTtl().toNanos());
    }

    @Test
    void settingsThatWouldMakeHealthyAgentsLookLostAreRejected() {
        PeerMajority bad = new PeerMajority(Duration.ofSeconds(2), Duration.ofMillis(600), Duration.ofMillis(2500));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bad.validate(LeaseTiming.DEFAULT));
        assertTrue(e.getMessage().contains("lostLead"), e.getMessage());
        PeerMajority shortPermit = new PeerMajority(Duration.ofMillis(1100), Duration.ofMillis(600), Duration.ofMillis(1200));
        assertThrows(IllegalArgumentException.class, () -> shortPermit.validate(LeaseTiming.DEFAULT));
    }
}
