package dev.relocator.core.protocol;

import java.util.Map;
import java.util.Objects;

/**
 * Agent → controller, every heartbeat interval (default 1 s), and faster while unacknowledged.
 *
 * @param node      the agent's Swarm node id
 * @param incarnation chosen at agent start (never reused on the node); acks of another incarnation are ignored
 * @param seq       strictly increasing per incarnation; an ack renews the lease from this heartbeat's send time
 * @param proof     what the agent knows about its own lease, so the controller can prove which
 *                  peers held a lease when (the peer-majority mirror); null before the first ack
 * @param volumes   per relocatable volume known on the node: what the agent has done
 * @param handoverNanos 0 normally; &gt; 0 when this agent instance is stopping (an operator update) and asks for
 *                  its lease to be extended by this much so that the next instance on the node can take over
 *                  before the writers must die (docs/design-notes.md, "Operator upgrade without relocation")
 */
public record Heartbeat(String node, long incarnation, long seq, LeaseProof proof, Map<String, VolumeReport> volumes,
                        long handoverNanos) {
    public Heartbeat {
        Objects.requireNonNull(node, "node");
        volumes = volumes == null ? Map.of() : Map.copyOf(volumes);
        if (handoverNanos < 0) {
            throw new IllegalArgumentException("handoverNanos must be >= 0, got " + handoverNanos);
        }
    }

    public Heartbeat(String node, long incarnation, long seq, LeaseProof proof, Map<String, VolumeReport> volumes) {
        this(node, incarnation, seq, proof, volumes, 0);
    }

    /**
     * The agent's statement about the last ack it accepted.
     *
     * @param controller      id of the controller instance that sent the ack
     * @param ackStampNanos   that controller's monotonic time when it sent the ack (echoed back)
     * @param remainingNanos  at the moment the agent received that ack: how long until its lost point
     *                        ({@code deadline - killBudget - lostLead - now}, see {@code PeerMajority}),
     *                        on the agent's clock; until then it answers peers "not lost"
     * @param leaseRun        increments each time the agent passed its lost point; equal runs mean
     *                        it held its lease continuously between the two acks
     */
    public record LeaseProof(String controller, long ackStampNanos, long remainingNanos, long leaseRun) {
    }
}
