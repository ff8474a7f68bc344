package dev.relocator.core.lease;

import java.time.Duration;

/**
 * The peer-majority rule and its mirror on the controller.
 *
 * <p>The electorate is every node of the Swarm (N = peers + 1), the same set on both sides.
 *
 * <p><b>Agent:</b> an agent past its fence point does not fence if, and only as long as, it and
 * enough peers to form a strict majority of N ({@link #agentNeedsLostPeers}) answered a query sent
 * less than {@code permitTtl} ago with "my lease is lost too" (a control-plane outage, not isolation). A permit extends the agent's effective
 * deadline to {@code querySendTime + permitTtl}; once the effective deadline's fence point has
 * passed, the agent fences and no later permit revives the workload.
 *
 * <p><b>Controller mirror:</b> lease expiry is accepted as fencing evidence for node A at
 * controller time T only if {@link #controllerNeedsProvenPeers} of A's peers are <em>proven</em> to
 * have held their own lease throughout {@code [T - window, T]} (see {@link #controllerWindowNanos}).
 * A permit that could keep A's writers alive at T needs a set U of "lost" nodes (A included) with
 * answers generated in that window, |U| = floor(N/2) + 1; the proven set L excludes A and has
 * N - |U| + 1 members; |U| + |L| > N, so some peer would be in both, answering "lost" while holding
 * its lease, which it never does. So a lease-only relocation never races a skipped fence.
 *
 * <p>"Lost" is decided at the agent's <em>lost point</em> {@code deadline - killBudget - lostLead},
 * earlier than its fence point: when the control plane dies, the agents' deadlines are spread
 * over about one heartbeat interval, and the first agent to reach its fence point must already
 * find its peers reporting "lost". The controller's proofs use the same lost point.
 *
 * @param permitTtl  how long a permit keeps the effective deadline alive (default 2 s)
 * @param queryLead  how long before the fence point the agent starts asking its peers (default 600 ms)
 * @param lostLead   how long before its own fence point an agent answers "lost" (default 1.2 s:
 *                   one heartbeat plus two ticks, the spread of deadlines in an outage)
 */
public record PeerMajority(Duration permitTtl, Duration queryLead, Duration lostLead) {

    public static final PeerMajority DEFAULT =
            new PeerMajority(Duration.ofSeconds(2), Duration.ofMillis(600), Duration.ofMillis(1200));

    public PeerMajority {
        if (permitTtl == null || queryLead == null || lostLead == null || permitTtl.isNegative()
                || queryLead.isNegative() || lostLead.isNegative()) {
            throw new IllegalArgumentException("permitTtl, queryLead and lostLead must be non-negative durations");
        }
    }

    /** The agent's lost point for a lease deadline: from here on it answers peers "lost". */
    public long lostPoint(LeaseTiming t, long deadlineNanos) {
        return t.agentFencePoint(deadlineNanos) - lostLead.toNanos();
    }

    /**
     * Peers that must answer "lost" for an agent to skip fencing: with itself they form a strict
     * majority of the N = peers + 1 nodes. A single node (no peers) never gets a permit.
     */
    public static int agentNeedsLostPeers(int peers) {
        return peers == 0 ? Integer.MAX_VALUE : (peers + 1) / 2;
    }

    /**
     * Peers of the source the controller must prove leased before it accepts lease expiry as
     * evidence: N - (floor(N/2) + 1) + 1, so that it always intersects any permit's "lost" set.
     */
    public static int controllerNeedsProvenPeers(int peers) {
        int n = peers + 1;
        return n - (n / 2 + 1) + 1;
    }

    /**
     * The window over which the controller needs a peer majority proven leased:
     * the permit TTL stretched by the drift rate, plus the drift margin.
     */
    public long controllerWindowNanos(LeaseTiming t) {
        return (long) Math.ceil(permitTtl.toNanos() * (1 + t.maxDriftRate()) / (1 - t.maxDriftRate()))
                + t.driftMarginNanos();
    }

    /**
     * Permit TTL must outlive the kill budget plus a re-query, or a healthy outage would flap into
     * fencing; and a healthy agent (acked every heartbeat) must never look lost.
     */
    public void validate(LeaseTiming t) {
        long healthyRemaining = t.lease().minus(t.killBudget()).minus(lostLead).toNanos();
        long worstGap = t.heartbeat().plus(t.retry()).plus(t.tick()).toNanos();
        if (healthyRemaining <= worstGap) {
            throw new IllegalArgumentException("lease - killBudget - lostLead (" + java.time.Duration.ofNanos(healthyRemaining)
                    + ") must exceed heartbeat + retry + tick (" + java.time.Duration.ofNanos(worstGap)
                    + "), or healthy agents would answer \"lost\"; lower lostLead or raise the lease");
        }
        if (permitTtl.compareTo(t.killBudget().plus(t.tick().multipliedBy(3))) <= 0) {
            throw new IllegalArgumentException("permitTtl (" + permitTtl + ") must exceed killBudget + 3 ticks ("
                    + t.killBudget().plus(t.tick().multipliedBy(3)) + ")");
        }
    }
}
