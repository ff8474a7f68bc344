package dev.relocator.docker.events;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Decides that an event stream is stalled and must be re-opened. The daemon gives no
 * keep-alive on {@code /events}, so silence alone is normal on a quiet node. The stream is
 * declared stalled when nothing proves the path to the daemon alive for {@code stallTimeout}:
 * no event and no successful ping through the same address. Independently, a stream silent
 * for {@code quietLimit} is re-opened anyway: cheap with {@code since}, and it bounds the
 * life of a connection that is dead but never reported closed.
 *
 * <p>Uses a monotonic clock; wall-clock jumps must not cause or hide a stall.
 */
public final class StallDetector {

    public enum Verdict { HEALTHY, STALLED, QUIET_TOO_LONG }

    private final LongSupplier nanoClock;
    private final long stallTimeoutNanos;
    private final long quietLimitNanos;
    private volatile long lastEvent;
    private volatile long lastPingOk;

    public StallDetector(Duration stallTimeout, Duration quietLimit, LongSupplier nanoClock) {
        if (stallTimeout.isNegative() || stallTimeout.isZero()) {
            throw new IllegalArgumentException("stall timeout must be positive, got " + stallTimeout);
        }
        if (quietLimit.compareTo(stallTimeout) < 0) {
            throw new IllegalArgumentException("quiet limit " + quietLimit + " must not be shorter than the stall timeout " + stallTimeout);
        }
        this.nanoClock = nanoClock;
        this.stallTimeoutNanos = stallTimeout.toNanos();
        this.quietLimitNanos = quietLimit.toNanos();
        streamOpened();
    }

    /** A fresh stream counts as proof of life for both rules. */
    public void streamOpened() {
        long now = nanoClock.getAsLong();
        lastEvent = now;
        lastPingOk = now;
    }

    public void eventReceived() {
        lastEvent = nanoClock.getAsLong();
    }

    public void pingSucceeded() {
        lastPingOk = nanoClock.getAsLong();
    }

    public Verdict verdict() {
        long now = nanoClock.getAsLong();
        long sinceEvent = now - lastEvent;
        long sinceProof = now - Math.max(lastEvent, lastPingOk);
        if (sinceProof > stallTimeoutNanos) {
            return Verdict.STALLED;
        }
        if (sinceEvent > quietLimitNanos) {
            return Verdict.QUIET_TOO_LONG;
        }
        return Verdict.HEALTHY;
    }
}
