package dev.relocator.core.protocol;

import java.util.List;
import java.util.Objects;

/**
 * Controller → agent, answering one heartbeat. Only an active controller (one that proved its
 * leadership within its leader lease) sends acks; an ack renews the node lease from the
 * heartbeat's <em>send</em> time.
 *
 * @param controller   id of the answering controller instance
 * @param stampNanos   the controller's monotonic time when the ack was built (echoed in the next proof)
 * @param node         the node being answered
 * @param incarnation  the agent incarnation of the heartbeat answered
 * @param seq          the heartbeat answered
 * @param grants       one entry per managed volume: granted or revoked for this node, at a controller revision
 * @param extensionNanos the hand-over extension granted for this heartbeat (0: none): the controller recorded it in
 *                     Swarm before answering, and treats the node's lease as running {@code lease + extension} from
 *                     this heartbeat; the agent's deadline becomes {@code send + lease + extension}
 */
public record HeartbeatAck(String controller, long stampNanos, String node, long incarnation, long seq, List<VolumeGrant> grants,
                           long extensionNanos) {
    public HeartbeatAck {
        Objects.requireNonNull(controller, "controller");
        Objects.requireNonNull(node, "node");
        grants = List.copyOf(grants);
        if (extensionNanos < 0) {
            throw new IllegalArgumentException("extensionNanos must be >= 0, got " + extensionNanos);
        }
    }

    public HeartbeatAck(String controller, long stampNanos, String node, long incarnation, long seq, List<VolumeGrant> grants) {
        this(controller, stampNanos, node, incarnation, seq, grants, 0);
    }

    /**
     * @param volume   volume name
     * @param granted  the node may run writers of the volume (state Starting or Attached on this node)
     * @param epoch    the granted epoch (0 when revoked)
     * @param revision controller revision ({@code relocator.dev/revision}) of the state the decision was read
     *                 at; agents ignore entries older than the newest revision they saw
     */
    public record VolumeGrant(String volume, boolean granted, long epoch, long revision) {
    }
}
