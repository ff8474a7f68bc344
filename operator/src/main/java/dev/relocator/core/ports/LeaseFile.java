package dev.relocator.core.ports;

import java.util.Set;

/**
 * A file on the node that the fencing wrapper in each workload's entrypoint reads. It lets the
 * workload kill itself when the agent is dead or frozen (hard case 1). Written atomically
 * (write temp, rename).
 *
 * <p>The file holds the deadline on the wrapper's clock: the adapter converts with
 * {@code uptimeNow + (deadlineNanos - nowNanos)}, where {@code uptimeNow} is read from
 * {@code /proc/uptime} at write time (the JVM's {@code nanoTime} is CLOCK_MONOTONIC, uptime is
 * CLOCK_BOOTTIME; both advance at the same rate while the host runs, and only a difference is
 * carried over). It also lists the volumes the agent has fenced. The wrapper refuses to start, or
 * kills its child, when {@code uptime >= deadline - killBudget} or its volume is listed as fenced.
 */
public interface LeaseFile {

    /**
     * @param deadlineNanos the agent's effective deadline on its monotonic clock
     * @param nowNanos      the agent's monotonic clock when it decided
     * @param fencedVolumes volumes that must not run on this node
     */
    void write(long deadlineNanos, long nowNanos, Set<String> fencedVolumes);

    LeaseFile NONE = (deadline, now, fenced) -> { };
}
