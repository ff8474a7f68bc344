package dev.relocator.core.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A planned move the user asked for (API {@code relocate}, {@code drain}; stored as the annotations
 * {@code relocator.dev/relocate-to}, {@code relocator.dev/drain-from},
 * {@code relocator.dev/relocate-requested-at} on the RelocatableVolume). Level-triggered: the
 * request stays in the spec until it no longer applies, and the spec source drops it then.
 *
 * @param to          node id the volume must move to, or null (any eligible node)
 * @param from        node id the volume must leave, or null
 * @param requestedAt when the user asked (for the reported downtime and the event)
 */
public record MoveRequest(String to, String from, Instant requestedAt) {

    public MoveRequest {
        if ((to == null || to.isBlank()) && (from == null || from.isBlank())) {
            throw new IllegalArgumentException("a move request names a target node (relocate-to) or a node to leave (drain-from)");
        }
        to = to == null || to.isBlank() ? null : to;
        from = from == null || from.isBlank() ? null : from;
        Objects.requireNonNull(requestedAt, "requestedAt");
    }

    public static MoveRequest relocateTo(String node, Instant at) {
        return new MoveRequest(node, null, at);
    }

    public static MoveRequest drainFrom(String node, Instant at) {
        return new MoveRequest(null, node, at);
    }

    /** True while a volume attached to {@code currentNode} still has to move to satisfy this request. */
    public boolean pendingFor(String currentNode) {
        if (currentNode == null) {
            return false;
        }
        return (to != null && !to.equals(currentNode)) || (from != null && from.equals(currentNode));
    }
}
