package dev.relocator.core.lease;

import java.time.Duration;

/**
 * Heartbeat, lease and kill-budget arithmetic, shared by agent and controller so that the two
 * views can never disagree by construction.
 *
 * <ul>
 *   <li>Agent deadline = <em>send</em> time of the last acknowledged heartbeat + lease, on the
 *       agent's monotonic clock. The agent starts fencing at {@code deadline - killBudget} and has
 *       finished by {@code deadline}.</li>
 *   <li>Controller expiry = <em>receipt</em> time of the last heartbeat + lease + drift margin, on
 *       the controller's monotonic clock. Receipt is after send, and the margin covers the rate
 *       difference of the two clocks over one lease ({@code 2 * maxDrift * lease}) plus one tick
 *       of the agent's loop, so the controller's view always expires after the agent's.</li>
 * </ul>
 *
 * @param heartbeat      heartbeat interval (default 1 s)
 * @param lease          lease length (default 4 s)
 * @param killBudget     time reserved to kill, confirm and unmount before the deadline (default 1 s)
 * @param retry          heartbeat resend interval while unacknowledged (default 100 ms)
 * @param tick           agent loop period (default 100 ms)
 * @param maxDriftRate   bound on the rate difference of any clock to real time (default 0.001 = 1000 ppm)
 * @param extraMargin    extra safety added to the controller-side expiry (default 500 ms)
 */
public record LeaseTiming(Duration heartbeat, Duration lease, Duration killBudget, Duration retry,
                          Duration tick, double maxDriftRate, Duration extraMargin) {

    public static final LeaseTiming DEFAULT = new LeaseTiming(Duration.ofSeconds(1), Duration.ofSeconds(4),
            Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofMillis(100), 0.001, Duration.ofMillis(500));

    public LeaseTiming {
        for (Duration d : new Duration[]{heartbeat, lease, killBudget, retry, tick, extraMargin}) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("lease timings must be non-negative durations");
            }
        }
        if (maxDriftRate < 0 || maxDriftRate >= 0.1) {
            throw new IllegalArgumentException("maxDriftRate must be in [0, 0.1), got " + maxDriftRate);
        }
        if (heartbeat.isZero() || tick.isZero() || retry.isZero()) {
            throw new IllegalArgumentException("heartbeat, retry and tick must be > 0");
        }
        // Without this a single lost heartbeat would already reach the fence point: no blip tolerance at all.
        if (lease.compareTo(killBudget.plus(heartbeat).plus(retry).plus(tick)) <= 0) {
            throw new IllegalArgumentException("lease (" + lease + ") must exceed killBudget + heartbeat + retry + tick ("
                    + killBudget.plus(heartbeat).plus(retry).plus(tick) + "); raise the lease or lower the kill budget");
        }
        if (killBudget.compareTo(tick.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("killBudget (" + killBudget + ") must be at least two agent ticks ("
                    + tick.multipliedBy(2) + ") so the kill starts before the deadline");
        }
    }

    public LeaseTiming withLease(Duration l) {
        return new LeaseTiming(heartbeat, l, killBudget, retry, tick, maxDriftRate, extraMargin);
    }

    /** Agent side: the lease deadline granted by the ack of a heartbeat sent at {@code sendNanos}. */
    public long agentDeadline(long sendNanos) {
        return sendNanos + lease.toNanos();
    }

    /** Agent side: when fencing must start for a deadline. */
    public long agentFencePoint(long deadlineNanos) {
        return deadlineNanos - killBudget.toNanos();
    }

    /**
     * Margin the controller adds to a lease: covers clock-rate differences (both clocks may be off
     * by {@code maxDriftRate} in opposite directions over the lease) plus one agent tick (the agent
     * notices its deadline at tick granularity) plus the configured extra.
     */
    public long driftMarginNanos() {
        return (long) Math.ceil(2 * maxDriftRate * lease.toNanos()) + tick.toNanos() + extraMargin.toNanos();
    }

    /** Controller side: when the lease of an agent whose last heartbeat arrived at {@code receiptNanos} has surely expired. */
    public long controllerExpiry(long receiptNanos) {
        return receiptNanos + lease.toNanos() + driftMarginNanos();
    }

    /**
     * Converts a duration measured on another node's clock into a duration that is surely not
     * longer on ours (used when the controller turns an agent's reported remaining lease into
     * its own time).
     */
    public long shrinkForeignDuration(long foreignNanos) {
        return (long) Math.floor(foreignNanos * (1 - maxDriftRate) / (1 + maxDriftRate));
    }

    /**
     * The longest network blip (nothing delivered either way) that causes neither a kill nor a
     * relocation, for a one-way delay bound {@code delay}:
     * {@code (lease - killBudget - heartbeat - tick - max(retry, tick) - 2*delay) * (1 - 2*maxDriftRate)}.
     * Derivation, on the agent's clock: the last heartbeat whose ack arrived before the blip was sent
     * at {@code s >= blipStart - heartbeat - tick - delay} (heartbeats leave at tick granularity and the
     * ack needs one delay); the agent fences at {@code s + lease - killBudget}. After the blip the next
     * heartbeat leaves within {@code max(retry, tick)}, and its ack arrives one delay later. The
     * controller's expiry is later still ({@link #controllerExpiry}), so no relocation either.
     */
    public Duration blipBound(Duration delay) {
        long b = lease.toNanos() - killBudget.toNanos() - heartbeat.toNanos() - tick.toNanos()
                - Math.max(retry.toNanos(), tick.toNanos()) - 2 * delay.toNanos();
        return Duration.ofNanos(Math.max(0, (long) Math.floor(b * (1 - 2 * maxDriftRate))));
    }
}
