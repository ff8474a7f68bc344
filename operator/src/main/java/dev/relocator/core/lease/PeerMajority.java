package dev.relocator.core.lease;

import java.time.Duration;

/**
 * The peer-majority rule and its mirror on the controller.
 *
 * <p><b>Agent:</b> an agent past its fence point does not fence if, and only as long as, a strict
 * majority of its peers answered a query sent less than {@code permitTtl} ago with "my lease is
 * lost too" (a control-plane outage, not isolation). A permit extends the agent's effective
 * deadline to {@code querySendTime + permitTtl}; once the effective deadline's fence point has
 * passed, the agent fences and no later permit revives the workload.
 *
 * <p><b>Controller mirror:</b> lease expiry is accepted as fencing evidence for node A at
 * controller time T only if a strict majority of A's peers are <em>proven</em> to have held
 * their own lease throughout {@code [T - window, T]} (see {@link #controllerWindowNanos}). Any
 * permit that could keep A's writers alive at T needs "lost" answers generated in that window by
 * a strict majority of the same peers; two strict majorities of one set intersect, and a peer
 * cannot answer "lost" while holding its lease. So a lease-only relocation never races a
 * skipped fence.
 *
 * @param permitTtl  how long a permit keeps the effective deadline alive (default 2 s)
 * @param queryLead  how long before the fence point the agent starts asking its peers (default 600 ms)
 */
public record PeerMajority(Duration permitTtl, Duration queryLead) {

    public static final PeerMajority DEFAULT = new PeerMajority(Duration.ofSeconds(2), Duration.ofMillis(600));

    public PeerMajority {
        if (permitTtl == null || queryLead == null || permitTtl.isNegative() || queryLead.isNegative()) {
            throw new IllegalArgumentException("permitTtl and queryLead must be non-negative durations");
        }
    }

    /** Strict majority of {@code peers} other agents; 0 peers means no permit is ever possible. */
    public static int majorityOf(int peers) {
        return peers / 2 + 1;
    }

    /**
     * The window over which the controller needs a peer majority proven leased:
     * the permit TTL stretched by the drift rate, plus the drift margin.
     */
    public long controllerWindowNanos(LeaseTiming t) {
        return (long) Math.ceil(permitTtl.toNanos() * (1 + t.maxDriftRate()) / (1 - t.maxDriftRate()))
                + t.driftMarginNanos();
    }

    /** Permit TTL must outlive the kill budget plus a re-query, or a healthy outage would flap into fencing. */
    public void validate(LeaseTiming t) {
        if (permitTtl.compareTo(t.killBudget().plus(t.tick().multipliedBy(3))) <= 0) {
            throw new IllegalArgumentException("permitTtl (" + permitTtl + ") must exceed killBudget + 3 ticks ("
                    + t.killBudget().plus(t.tick().multipliedBy(3)) + ")");
        }
    }
}
