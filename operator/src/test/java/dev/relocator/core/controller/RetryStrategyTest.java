package dev.relocator.core.controller;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryStrategyTest {

    @Test
    void delaysGrowGeometricallyUpToTheCap() {
        RetryStrategy r = new RetryStrategy(Duration.ofMillis(100), 2.0, Duration.ofMillis(500), 5, Duration.ofSeconds(3));
        assertEquals(Duration.ofMillis(100), r.delayAfter(1));
        assertEquals(Duration.ofMillis(200), r.delayAfter(2));
        assertEquals(Duration.ofMillis(400), r.delayAfter(3));
        assertEquals(Duration.ofMillis(500), r.delayAfter(4));
        assertEquals(Duration.ofMillis(500), r.delayAfter(60), "no overflow on large attempts");
    }

    @Test
    void exhaustedAtMaxAttempts() {
        RetryStrategy r = RetryStrategy.DEFAULT.withMaxAttempts(3);
        assertFalse(r.exhausted(2));
        assertTrue(r.exhausted(3));
        assertEquals(8, RetryStrategy.DEFAULT.maxAttempts(), "withMaxAttempts returns a copy; the default is immutable");
    }

    @Test
    void invalidSettingsAreRejectedWithTheReason() {
        assertThrows(IllegalArgumentException.class,
                () -> new RetryStrategy(Duration.ZERO, 2, Duration.ofSeconds(1), 3, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryStrategy(Duration.ofMillis(10), 0.5, Duration.ofSeconds(1), 3, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryStrategy(Duration.ofSeconds(2), 2, Duration.ofSeconds(1), 3, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryStrategy(Duration.ofMillis(10), 2, Duration.ofSeconds(1), 0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> RetryStrategy.DEFAULT.delayAfter(0));
    }
}
