package dev.relocator.core.controller;

import dev.relocator.core.lease.LeaseTiming;
import dev.relocator.core.lease.PeerMajority;

import java.time.Duration;

/**
 * @param timing              lease arithmetic shared with the agents
 * @param peerRule            peer-majority rule shared with the agents
 * @param retry               back-off of failing steps
 * @param leaderLease         how long one successful leadership proof lets this controller act;
 *                            a new controller waits this long (plus the lease) before it trusts any
 *                            lease expiry, because the deposed one may have acked until then
 * @param poll                requeue interval while waiting for an agent or Swarm
 * @param resync              requeue interval of a healthy Attached volume (the fail-safe resync)
 * @param taskFailures        failures on one node within {@code taskFailureWindow} that make the
 *                            RELOCATE policy move the volume
 * @param taskFailureWindow   see above
 * @param maxHandover         the longest lease extension granted to a stopping agent so that the next instance
 *                            on its node can take over (an operator update); also the most by which the
 *                            failover of a node that dies during such a hand-over is delayed. Zero: none
 *                            is granted, an agent restart longer than the lease relocates the node's writers
 */
public record ControllerConfig(LeaseTiming timing, PeerMajority peerRule, RetryStrategy retry, Duration leaderLease,
                               Duration poll, Duration resync, int taskFailures, Duration taskFailureWindow,
                               Duration maxHandover) {

    public static final Duration DEFAULT_MAX_HANDOVER = Duration.ofSeconds(60);

    public static final ControllerConfig DEFAULT = new ControllerConfig(LeaseTiming.DEFAULT, PeerMajority.DEFAULT,
            RetryStrategy.DEFAULT, Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofSeconds(1), 3,
            Duration.ofSeconds(60), DEFAULT_MAX_HANDOVER);

    public ControllerConfig(LeaseTiming timing, PeerMajority peerRule, RetryStrategy retry, Duration leaderLease,
                            Duration poll, Duration resync, int taskFailures, Duration taskFailureWindow) {
        this(timing, peerRule, retry, leaderLease, poll, resync, taskFailures, taskFailureWindow, DEFAULT_MAX_HANDOVER);
    }

    public ControllerConfig {
        peerRule.validate(timing);
        if (leaderLease.isNegative() || leaderLease.isZero()) {
            throw new IllegalArgumentException("leaderLease must be > 0");
        }
        if (maxHandover == null || maxHandover.isNegative()) {
            throw new IllegalArgumentException("maxHandover must be a duration >= 0 (0 disables hand-overs), got " + maxHandover);
        }
        if (taskFailures < 1) {
            throw new IllegalArgumentException("taskFailures must be >= 1");
        }
    }

    public ControllerConfig withRetry(RetryStrategy r) {
        return new ControllerConfig(timing, peerRule, r, leaderLease, poll, resync, taskFailures, taskFailureWindow, maxHandover);
    }

    public ControllerConfig withTiming(LeaseTiming t) {
        return new ControllerConfig(t, peerRule, retry, leaderLease, poll, resync, taskFailures, taskFailureWindow, maxHandover);
    }

    public ControllerConfig withMaxHandover(Duration h) {
        return new ControllerConfig(timing, peerRule, retry, leaderLease, poll, resync, taskFailures, taskFailureWindow, h);
    }
}
