package dev.relocator.core.controller;

import java.time.Duration;

/**
 * Immutable exponential back-off: {@code initial * multiplier^(attempt-1)}, capped at {@code max};
 * after {@code maxAttempts} failed attempts in one phase the volume goes to Failed, from which it
 * is retried after {@code failedRetry}. No jitter: the simulation must replay exactly, and one
 * controller reconciles a handful of volumes, so there is no herd to spread.
 */
public record RetryStrategy(Duration initial, double multiplier, Duration max, int maxAttempts, Duration failedRetry) {

    public static final RetryStrategy DEFAULT =
            new RetryStrategy(Duration.ofMillis(200), 2.0, Duration.ofSeconds(5), 8, Duration.ofSeconds(10));

    public RetryStrategy {
        if (initial == null || initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("retry initial delay must be > 0");
        }
        if (multiplier < 1.0) {
            throw new IllegalArgumentException("retry multiplier must be >= 1, got " + multiplier);
        }
        if (max == null || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("retry max delay must be >= initial delay");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("retry maxAttempts must be >= 1");
        }
        if (failedRetry == null || failedRetry.isNegative() || failedRetry.isZero()) {
            throw new IllegalArgumentException("failedRetry must be > 0");
        }
    }

    /** Delay before attempt {@code attempt + 1}, given {@code attempt} (>= 1) failed attempts. */
    public Duration delayAfter(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt counts from 1, got " + attempt);
        }
        double nanos = initial.toNanos() * Math.pow(multiplier, attempt - 1);
        return nanos >= max.toNanos() ? max : Duration.ofNanos((long) nanos);
    }

    /** True when {@code attempt} failed attempts exhaust the strategy. */
    public boolean exhausted(int attempt) {
        return attempt >= maxAttempts;
    }

    public RetryStrategy withMaxAttempts(int n) {
        return new RetryStrategy(initial, multiplier, max, n, failedRetry);
    }
}
