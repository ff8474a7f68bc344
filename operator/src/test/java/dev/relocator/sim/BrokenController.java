package dev.relocator.sim;

import dev.relocator.core.controller.Controller;
import dev.relocator.core.controller.ControllerConfig;
import dev.relocator.core.events.EventSink;
import dev.relocator.core.model.FenceEvidence;
import dev.relocator.core.model.NodeInfo;
import dev.relocator.core.ports.AgentCommands;
import dev.relocator.core.ports.Clock;
import dev.relocator.core.ports.ExternalFence;
import dev.relocator.core.ports.SwarmCluster;

import java.util.List;
import java.util.Optional;

/** Negative controls: the real controller with one safety rule removed (see {@link Variant}). */
final class BrokenController extends Controller {
    private final Variant variant;
    private final Clock clock;
    private final ExternalFence fence;

    BrokenController(Variant variant, String id, ControllerConfig cfg, Clock clock, SwarmCluster cluster,
                     AgentCommands agents, ExternalFence fence, EventSink events) {
        super(id, cfg, clock, cluster, agents, fence, events);
        this.variant = variant;
        this.clock = clock;
        this.fence = fence;
    }

    /**
     * PLANNED_MOVE_UNCONFIRMED: the source of a planned move is "known" to be stopping, so it is taken as
     * off (Detaching then skips it too). FAILED_HOOK_AS_EVIDENCE: a failed or timed-out hook is read as
     * the node being off.
     */
    @Override
    protected Optional<FenceEvidence> findEvidence(Ctx c) {
        Optional<FenceEvidence> real = super.findEvidence(c);
        if (real.isPresent() || c.st().node() == null) {
            return real;
        }
        if (variant == Variant.PLANNED_MOVE_UNCONFIRMED && c.st().relocation() != null && c.st().relocation().planned()) {
            return Optional.of(FenceEvidence.EXTERNAL_FENCE);
        }
        if (variant == Variant.FAILED_HOOK_AS_EVIDENCE
                && fence.state(c.st().node(), c.spec().volumeName()) == ExternalFence.State.FAILED) {
            return Optional.of(FenceEvidence.EXTERNAL_FENCE);
        }
        return real;
    }

    @Override
    protected boolean peerMajorityProven(String source, List<NodeInfo> nodes, long now) {
        return variant == Variant.NO_PEER_MIRROR || super.peerMajorityProven(source, nodes, now);
    }

    /** START_BEFORE_FENCE: two missed heartbeats count as an expired lease. */
    @Override
    public long leaseExpiry(String node) {
        if (variant == Variant.HANDOVER_NOT_HONOURED) {
            return plainLeaseExpiry(node);
        }
        long real = super.leaseExpiry(node);
        if (variant != Variant.START_BEFORE_FENCE) {
            return real;
        }
        return real - config().timing().lease().toNanos() - config().timing().driftMarginNanos()
                + 2 * config().timing().heartbeat().toNanos();
    }

    /** START_BEFORE_FENCE: a node that missed two heartbeats is treated as gone, so Detaching does not wait for it. */
    @Override
    public boolean agentLive(String node) {
        if (variant != Variant.START_BEFORE_FENCE) {
            return super.agentLive(node);
        }
        return super.agentLive(node) && now() < leaseExpiry(node);
    }

    private long now() {
        return clock.monotonicNanos();
    }
}
