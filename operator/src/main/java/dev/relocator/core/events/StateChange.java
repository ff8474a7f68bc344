package dev.relocator.core.events;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One observable state change of the system: the unit the publisher turns into a
 * CloudEvent. The core emits these; it never waits for them to be delivered
 * (safety never depends on Kafka).
 *
 * @param type      CloudEvents type, always under {@code dev.relocator.}, see {@link Types}
 * @param subject   the volume name for volume events, the node name for node events
 * @param key       the Kafka key: the volume name (node name for node events), so each
 *                  subject's events are totally ordered on one partition
 * @param epoch     the attachment epoch this change belongs to (0 when not about a volume)
 * @param phase     the relocation phase after the change, or the node health for node events
 * @param time      when the change was decided (wall clock, informational only)
 * @param data      further fields (from node, to node, reason, error, durations)
 */
public record StateChange(String type, String subject, String key, long epoch, String phase,
                          Instant time, Map<String, Object> data) {

    public StateChange {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(time, "time");
        if (!type.startsWith("dev.relocator.")) {
            throw new IllegalArgumentException("event type must be under dev.relocator.: " + type);
        }
        data = data == null ? Map.of() : Map.copyOf(data);
    }

    /** The event types; one name per idea, used by producer, schemas and consumers. */
    public static final class Types {
        public static final String PHASE_CHANGED = "dev.relocator.volume.phase.changed";
        public static final String NODE_HEALTH_CHANGED = "dev.relocator.node.health.changed";
        public static final String LEASE_LOST = "dev.relocator.node.lease.lost";
        public static final String FENCE_EXECUTED = "dev.relocator.node.fence.executed";
        public static final String RESOURCE_ACCEPTED = "dev.relocator.resource.accepted";
        public static final String RESOURCE_REJECTED = "dev.relocator.resource.rejected";
        public static final String ERROR = "dev.relocator.error";
        public static final String RESYNC_SNAPSHOT = "dev.relocator.volume.snapshot";
        /** A volume held by {@code spec.paused} or maintenance mode may relocate again (phase: the volume's phase). */
        public static final String RESUMED = "dev.relocator.volume.resumed";
        /** Cluster-wide maintenance mode switched (phase {@code On} or {@code Off}; subject and key: the controller id). */
        public static final String MAINTENANCE_CHANGED = "dev.relocator.controller.maintenance.changed";

        private Types() {
        }
    }
}
