package dev.relocator.core.lease;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeaseTimingTest {

    final LeaseTiming t = LeaseTiming.DEFAULT;

    @Test
    void agentDeadlineRunsFromTheSendTimeAndFencingStartsAKillBudgetEarlier() {
        assertEquals(10_000_000_000L + 4_000_000_000L, t.agentDeadline(10_000_000_000L));
        assertEquals(13_000_000_000L, t.agentFencePoint(14_000_000_000L));
    }

    @Test
    void controllerExpiryIsAlwaysAfterTheAgentDeadlineUnderWorstDrift() {
        // Agent clock fast by rho, controller clock slow by rho: the worst case for the two views.
        double rho = t.maxDriftRate();
        long sendReal = 0;
        long receiptReal = 0; // even with zero network delay
        long agentDeadlineReal = sendReal + (long) (t.lease().toNanos() / (1 - rho));
        long controllerExpiryReal = receiptReal + (long) ((t.lease().toNanos() + t.driftMarginNanos()) / (1 + rho));
        assertTrue(controllerExpiryReal > agentDeadlineReal,
                "controller expiry " + controllerExpiryReal + " must follow the agent deadline " + agentDeadlineReal);
        assertEquals(8_000_000 + 100_000_000 + 500_000_000, t.driftMarginNanos());
    }

    @Test
    void theBlipBoundWithDefaults() {
        // 4 s - 1 s - 1 s - 0.1 s - 0.1 s - 2 * 20 ms = 1.76 s, times (1 - 2 * 0.001)
        assertEquals(Duration.ofNanos(1_756_480_000L), t.blipBound(Duration.ofMillis(20)));
        assertTrue(t.blipBound(Duration.ofMillis(20)).compareTo(t.heartbeat()) > 0,
                "a blip longer than one heartbeat must be tolerable");
    }

    @Test
    void shrinkingAForeignDurationNeverOverstatesIt() {
        long d = 1_000_000_000L;
        assertTrue(t.shrinkForeignDuration(d) < d);
        assertTrue(t.shrinkForeignDuration(d) >= (long) (d * (1 - 2 * t.maxDriftRate())) - 1);
    }

    @Test
    void inconsistentSettingsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.withLease(Duration.ofSeconds(2)));
        assertTrue(e.getMessage().contains("raise the lease"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LeaseTiming(Duration.ofSeconds(1), Duration.ofSeconds(4),
                Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofMillis(100), 0.001, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new LeaseTiming(Duration.ofSeconds(1), Duration.ofSeconds(4),
                Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofMillis(100), 0.2, Duration.ZERO));
    }
}
