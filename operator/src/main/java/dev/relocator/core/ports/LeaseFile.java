package dev.relocator.core.ports;

import java.util.Map;
import java.util.Optional;

/**
 * A file on the node, written by the agent and read by (a) the fencing wrapper in each
 * workload's entrypoint, so the workload stops itself when the agent is dead or frozen (hard
 * case 1), and (b) the agent itself after a restart, so an agent restart does not kill
 * healthy workloads. Written atomically (write temp, fsync, rename).
 *
 * <p>The deadline is stored on the wrapper's clock: the adapter converts with
 * {@code uptimeNow + (deadlineNanos - nowNanos)}, {@code uptimeNow} read from {@code /proc/uptime}
 * at write time. (The JVM's {@code nanoTime} is CLOCK_MONOTONIC, uptime is CLOCK_BOOTTIME; both
 * advance at the same rate while the host runs, and only a difference is carried over.)
 * The wrapper allows its workload to run only while its volume is listed in {@code allowed}
 * and {@code uptime < deadline - killBudget}; it refuses to start otherwise, and kills its child
 * when that stops holding (checked at least every {@code killBudget / 2}).
 */
public interface LeaseFile {

    /**
     * @param deadlineNanos  the agent's effective deadline on its monotonic clock
     * @param allowed        volume → granted epoch, for the volumes that may run here now
     * @param seenRevisions  volume → highest controller revision ({@code relocator.dev/revision}) seen,
     *                       restored after an agent restart. (A file written before revisions existed holds
     *                       Swarm versions here; restoring them is harmless: every revision written since is
     *                       above the service version it was written at.)
     */
    record Content(long deadlineNanos, Map<String, Long> allowed, Map<String, Long> seenRevisions) {
        public Content {
            allowed = Map.copyOf(allowed);
            seenRevisions = Map.copyOf(seenRevisions);
        }
    }

    /** @param nowNanos the agent's monotonic clock when it decided (for the conversion above) */
    void write(Content content, long nowNanos);

    /**
     * The last content written on this node (converted back to the caller's clock), if any.
     * Must be empty when the file was written during another boot (store and compare
     * {@code /proc/sys/kernel/random/boot_id}): a reboot resets the monotonic clock, and an old
     * deadline would read as valid.
     */
    Optional<Content> read(long nowNanos);
}
