package dev.relocator.core.ports;

import java.time.Instant;

/**
 * Time for the core. Safety decisions use only {@link #monotonicNanos()} of the local
 * process and durations; wall time is informational (labels, events).
 */
public interface Clock {

    /** Monotonic nanoseconds (CLOCK_MONOTONIC, {@code System.nanoTime()}); only differences are meaningful. */
    long monotonicNanos();

    /** Wall time, for labels and events only; never compared across nodes. */
    Instant wallTime();

    Clock SYSTEM = new Clock() {
        @Override
        public long monotonicNanos() {
            return System.nanoTime();
        }

        @Override
        public Instant wallTime() {
            return Instant.now();
        }
    };
}
