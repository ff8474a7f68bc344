package dev.relocator.core.agent;

import dev.relocator.core.events.EventSink;
import dev.relocator.core.events.StateChange;
import dev.relocator.core.lease.LeaseTiming;
import dev.relocator.core.lease.PeerMajority;
import dev.relocator.core.model.VolumeSpec;
import dev.relocator.core.ports.Clock;
import dev.relocator.core.ports.ControllerLink;
import dev.relocator.core.ports.LeaseFile;
import dev.relocator.core.ports.LocalDocker;
import dev.relocator.core.ports.PeerLink;
import dev.relocator.core.protocol.AgentCommand;
import dev.relocator.core.protocol.Heartbeat;
import dev.relocator.core.protocol.HeartbeatAck;
import dev.relocator.core.protocol.PeerMessage;
import dev.relocator.core.protocol.VolumeReport;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The node agent: lease keeper, self-fencing, and executor of the controller's commands.
 *
 * <p>Not thread-safe: the caller serialises {@link #tick()}, {@link #onAck}, {@link #onCommand}
 * and {@link #onPeerMessage} (one event loop per node). {@code tick()} must run every
 * {@link LeaseTiming#tick()}; everything time-related is decided there, on the agent's own
 * monotonic clock.
 *
 * <p>Lease: deadline D = send time of the last acknowledged heartbeat + lease. Effective
 * deadline E = max(D, peer permit). At {@code E - killBudget} the agent <em>lapses</em>: it marks
 * every relocatable volume fenced, kills their containers, confirms they are gone, and lets
 * the lease file expire for the fencing wrapper. A lapse is final for the volumes: they run
 * again only after a grant at a controller revision newer than or equal to the latest revision
 * seen, received with a valid lease.
 *
 * <p>Returning node (hard case 4): the agent also enforces volumes no controller told it about
 * yet, found on the node by Relocator's labels, from its first tick: after a crash or partition the
 * engine may restart a stale copy of a workload before any ack arrives. It removes a node-local
 * reference Relocator created once the controller's newest word about it (newer than any Prepare
 * for this node) is "not granted here", nothing runs on it and its data lives off the node.
 */
public final class Agent {

    private static final int SENT_HISTORY = 64;

    private final String node;
    private final long incarnation;
    private final LeaseTiming timing;
    private final PeerMajority peerRule;
    private final Clock clock;
    private final ControllerLink controller;
    private final PeerLink peers;
    private final LocalDocker docker;
    private final LeaseFile leaseFile;
    private final EventSink events;

    private long seq;
    private long lastSendNanos;
    private boolean sentAny;
    private long lastAckedSeq = -1;
    private final LinkedHashMap<Long, Long> sentAt = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > SENT_HISTORY;
        }
    };

    private long ackDeadline;
    private boolean haveDeadline;
    private long effectiveDeadline;
    private boolean lapsed = true;
    private boolean pastLostPoint = true;
    private long leaseRun;
    private Heartbeat.LeaseProof proof;

    private long nextQueryId;
    private long lastQueryNanos;
    private boolean queriedAny;
    private final Map<Long, Long> querySentAt = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > SENT_HISTORY;
        }
    };
    private final Map<String, long[]> answers = new HashMap<>(); // peer -> {queryId, querySentAt, lost(0/1)}
    private boolean permitActive;

    /** Extension asked for by {@link #requestHandover} (0: none), and whether a controller granted it. */
    private long handoverWanted;
    private boolean handedOver;

    private final Map<String, Vol> volumes = new TreeMap<>();
    private LeaseFile.Content lastWritten;
    private boolean reportDue;
    private boolean discoveredAny;
    private long lastDiscoveryNanos;

    private static final class Vol {
        final String name;
        long seenRevision;
        boolean granted;
        long grantedEpoch;
        boolean fenced = true;
        boolean detachRequested;
        VolumeSpec spec;
        long prepareEpoch;
        long preparedEpoch;
        long preparedAtNanos;
        int containersAlive;
        boolean mounted;
        /** A prepare of this volume runs off the loop thread: no reference removal meanwhile. */
        boolean preparing;
        /** A reference removal (stale or a detach's) runs off the loop thread: nothing else for this volume meanwhile. */
        boolean removing;
        boolean removingStale;
        String error = "";
        /** Revision of the newest Prepare for this node, and of the newest ack that revoked the volume here. */
        long prepareRevision = -1;
        long revokedRevision = -1;
        /** This tick's listing of the node-local reference, null when absent or not listed. */
        LocalDocker.LocalVolume local;
        long staleRemovalTriedAt;
        boolean staleRemovalTried;

        Vol(String name) {
            this.name = name;
        }
    }

    public Agent(String node, long incarnation, LeaseTiming timing, PeerMajority peerRule, Clock clock,
                 ControllerLink controller, PeerLink peers, LocalDocker docker, LeaseFile leaseFile, EventSink events) {
        this.node = node;
        this.incarnation = incarnation;
        this.timing = timing;
        this.peerRule = peerRule;
        peerRule.validate(timing);
        this.clock = clock;
        this.controller = controller;
        this.peers = peers;
        this.docker = docker;
        this.leaseFile = leaseFile;
        this.events = events;
        restore();
    }

    /** An agent restart must not kill healthy workloads: resume from the lease file if it is still valid. */
    private void restore() {
        long now = clock.monotonicNanos();
        Optional<LeaseFile.Content> c = leaseFile.read(now);
        if (c.isEmpty()) {
            return;
        }
        c.get().seenRevisions().forEach((v, ver) -> vol(v).seenRevision = ver);
        if (now < timing.agentFencePoint(c.get().deadlineNanos())) {
            ackDeadline = c.get().deadlineNanos();
            haveDeadline = true;
            effectiveDeadline = ackDeadline;
            lapsed = false;
            pastLostPoint = ackLeaseLost(now);
            c.get().allowed().forEach((v, epoch) -> {
                Vol vol = vol(v);
                vol.granted = true;
                vol.grantedEpoch = epoch;
                vol.fenced = false;
            });
        }
    }

    public String node() {
        return node;
    }

    /**
     * One pass of the agent loop. Enforcement runs before the heartbeat: a report that says "seen
     * revision r, 0 alive" must have counted the containers after revision r's revocation was applied,
     * or a container whose start was already in flight when the revocation arrived would be reported
     * gone while it runs.
     */
    public void tick() {
        long now = clock.monotonicNanos();
        evaluateLease(now);
        enforce(now);
        maybeHeartbeat(now);
        writeLeaseFile(now);
    }

    private void maybeHeartbeat(long now) {
        boolean overdue = lastAckedSeq < seq;
        // A result the controller waits for (prepared, fenced) or a grant we wait for goes out at retry pace:
        // this is what keeps a relocation within lease + margin + start time instead of adding heartbeats.
        boolean eager = reportDue || awaitingGrant(now);
        if (!sentAny || now - lastSendNanos >= timing.heartbeat().toNanos()
                || ((overdue || eager) && now - lastSendNanos >= timing.retry().toNanos())) {
            reportDue = false;
            seq++;
            sentAny = true;
            lastSendNanos = now;
            sentAt.put(seq, now);
            Map<String, VolumeReport> reports = new TreeMap<>();
            for (Vol v : volumes.values()) {
                reports.put(v.name, new VolumeReport(v.name, v.seenRevision, !allowed(v), v.containersAlive, v.mounted,
                        v.preparedEpoch, v.error));
            }
            controller.send(new Heartbeat(node, incarnation, seq, proof, reports, handedOver ? 0 : handoverWanted));
        }
    }

    /**
     * This agent instance is stopping (SIGTERM of an operator update) and the next instance on the node will
     * resume from the lease file: ask the controller to extend the lease by {@code extension} so the writers
     * outlive the gap. Only a controller's ack grants it ({@link #handedOver()}); until then the lease is what
     * it was, and an agent without a valid lease asks for nothing. Sends at once, and again with every
     * heartbeat until granted.
     *
     * @return false when there is no valid lease to extend (nothing is asked)
     */
    public boolean requestHandover(java.time.Duration extension) {
        if (extension == null || extension.isNegative() || extension.isZero()) {
            throw new IllegalArgumentException("a hand-over extension must be > 0, got " + extension
                    + "; set relocator.agent.handover-extension, or 0s to stop without one");
        }
        long now = clock.monotonicNanos();
        evaluateLease(now);
        if (lapsed || !haveDeadline) {
            return false;
        }
        handoverWanted = extension.toNanos();
        if (effectiveDeadline - now >= handoverWanted) {
            // a stopping controller already extended every lease (recorded in Swarm) by at least this much
            handedOver = true;
            return true;
        }
        // this heartbeat goes out between ticks: count the containers after the commands applied since the last one
        enforce(now);
        reportDue = true;
        sentAny = false; // send now, not at the next heartbeat
        maybeHeartbeat(now);
        return true;
    }

    /** A controller granted the extension asked for by {@link #requestHandover}; the lease file carries it. */
    public boolean handedOver() {
        return handedOver;
    }

    /** Prepared for an epoch not granted yet, recently: the Starting CAS is imminent. Bounded so a dropped target stops. */
    private boolean awaitingGrant(long now) {
        for (Vol v : volumes.values()) {
            if (v.preparedEpoch > v.grantedEpoch && !v.detachRequested
                    && now - v.preparedAtNanos < 2 * timing.lease().toNanos()) {
                return true;
            }
        }
        return false;
    }

    private boolean allowed(Vol v) {
        return v.granted && !v.fenced && !lapsed;
    }

    /** True from the lost point on: what this agent answers its peers, and what its proofs bound. */
    private boolean ackLeaseLost(long now) {
        return !haveDeadline || now >= peerRule.lostPoint(timing, ackDeadline);
    }

    private void evaluateLease(long now) {
        long fencePointD = haveDeadline ? timing.agentFencePoint(ackDeadline) : Long.MIN_VALUE;
        if (!pastLostPoint && ackLeaseLost(now)) {
            pastLostPoint = true;
            leaseRun++;
        }
        if (lapsed) {
            return;
        }
        if (!peers.peers().isEmpty() && (!haveDeadline || now >= fencePointD - peerRule.queryLead().toNanos())
                && (!queriedAny || now - lastQueryNanos >= timing.tick().toNanos())) {
            long id = ++nextQueryId;
            queriedAny = true;
            lastQueryNanos = now;
            querySentAt.put(id, now);
            // sorted: the send order must not depend on the Set implementation (the simulation replays exactly)
            for (String p : new java.util.TreeSet<>(peers.peers())) {
                peers.send(p, new PeerMessage.Query(node, id));
            }
        }
        long permit = permitDeadline(now);
        boolean permitNow = permit != Long.MIN_VALUE && permit > effectiveDeadline;
        if (permitNow) {
            effectiveDeadline = permit;
        }
        if (permitNow && !permitActive && pastLostPoint) {
            permitActive = true;
            events.publish(nodeEvent(StateChange.Types.LEASE_LOST, "PeerMajorityOutage",
                    Map.of("fencing", false, "reason", "a majority of peers cannot reach the controller either")));
        }
        if (now >= timing.agentFencePoint(effectiveDeadline)) {
            lapsed = true;
            permitActive = false;
            for (Vol v : volumes.values()) {
                v.fenced = true;
            }
            events.publish(nodeEvent(StateChange.Types.LEASE_LOST, "LeaseLapsed",
                    Map.of("fencing", true, "volumes", List.copyOf(volumes.keySet()))));
        }
    }

    /** The permit deadline from the freshest strict majority of "lost" answers, or MIN_VALUE. */
    private long permitDeadline(long now) {
        int need = PeerMajority.agentNeedsLostPeers(peers.peers().size());
        List<Long> lostQueryTimes = new ArrayList<>();
        for (Map.Entry<String, long[]> e : answers.entrySet()) {
            long[] a = e.getValue();
            if (a[2] == 1 && peers.peers().contains(e.getKey()) && now - a[1] < peerRule.permitTtl().toNanos()) {
                lostQueryTimes.add(a[1]);
            }
        }
        if (peers.peers().isEmpty() || lostQueryTimes.size() < need) {
            return Long.MIN_VALUE;
        }
        lostQueryTimes.sort((x, y) -> Long.compare(y, x));
        return lostQueryTimes.get(need - 1) + peerRule.permitTtl().toNanos();
    }

    /**
     * Finds the relocatable volume references on this node, at the first tick (before any ack: a
     * returning node's stale copies must die now, not after a controller answers) and then once per
     * heartbeat. A failed listing changes nothing; the next one retries.
     */
    private void discover(long now) {
        if (discoveredAny && now - lastDiscoveryNanos < timing.heartbeat().toNanos()) {
            return;
        }
        List<LocalDocker.LocalVolume> found;
        try {
            found = docker.relocatableVolumes();
        } catch (RuntimeException e) {
            return;
        }
        discoveredAny = true;
        lastDiscoveryNanos = now;
        Map<String, LocalDocker.LocalVolume> byName = new HashMap<>();
        found.forEach(l -> byName.put(l.name(), l));
        for (Vol v : volumes.values()) {
            v.local = byName.remove(v.name);
        }
        // unknown until now: no grant, so fenced (a Vol starts fenced) and its containers are killed below
        byName.values().forEach(l -> vol(l.name()).local = l);
    }

    /**
     * Never data (the reference of a plain local volume is its data), never a volume Relocator did
     * not create, never one in use or granted here, never one a newer Prepare asked for.
     */
    private boolean staleReference(Vol v, long now) {
        return v.local != null && v.local.createdByRelocator() && v.local.dataOffNode()
                && !v.granted && !allowed(v) && !v.detachRequested
                && v.revokedRevision >= 0 && v.revokedRevision > v.prepareRevision
                && v.containersAlive == 0
                && (!v.staleRemovalTried || now - v.staleRemovalTriedAt >= timing.lease().toNanos());
    }

    /**
     * One container listing for every volume this node knows (not one request per volume: with 50 volumes that
     * starved the heartbeat on this thread), kills what is not allowed, and confirms the kills with one more
     * listing. Then per volume: the detach's reference removal, a stale reference's removal, and the prepare,
     * which runs off this thread ({@link LocalDocker#prepareAndVerify}) and is polled here.
     */
    private void enforce(long now) {
        discover(now);
        if (volumes.isEmpty()) {
            return;
        }
        Map<String, List<String>> running;
        try {
            running = docker.containersMounting(volumes.keySet());
        } catch (LocalDocker.DockerUnavailableException e) {
            // Unknown is not zero: a confirmation must never be reported while dockerd cannot answer.
            for (Vol v : volumes.values()) {
                unknown(v, e);
            }
            return;
        } catch (RuntimeException e) {
            for (Vol v : volumes.values()) {
                v.error = describe(e);
            }
            return;
        }
        Map<Vol, Integer> killed = new LinkedHashMap<>();
        for (Vol v : volumes.values()) {
            List<String> ids = running.getOrDefault(v.name, List.of());
            if (allowed(v) || ids.isEmpty()) {
                v.containersAlive = ids.size();
                continue;
            }
            try {
                for (String id : ids) {
                    docker.kill(id);
                }
                killed.put(v, ids.size());
            } catch (LocalDocker.DockerUnavailableException e) {
                unknown(v, e);
            } catch (RuntimeException e) {
                v.containersAlive = ids.size();
                v.error = describe(e);
            }
        }
        if (!killed.isEmpty()) {
            confirmKills(killed);
        }
        for (Vol v : volumes.values()) {
            try {
                // A removal still running off the loop is collected before anything else is decided for the volume.
                boolean busy = v.removing && !collectRemoval(v);
                if (!busy && !v.preparing && v.detachRequested && !allowed(v) && v.containersAlive == 0
                        && docker.volumePresent(v.name)) {
                    v.removing = true;
                    v.removingStale = false;
                    busy = !collectRemoval(v);
                } else if (!busy && !v.preparing && staleReference(v, now)) {
                    v.staleRemovalTried = true;
                    v.staleRemovalTriedAt = now;
                    v.removing = true;
                    v.removingStale = true;
                    busy = !collectRemoval(v);
                }
                if (!busy && v.spec != null && v.prepareEpoch > v.preparedEpoch) {
                    v.preparing = true;
                    Optional<Boolean> verdict = docker.prepareAndVerify(v.spec);
                    v.preparing = verdict.isEmpty();
                    if (verdict.isPresent()) {
                        reportDue = true;
                        v.mounted = true;
                        if (verdict.get()) {
                            v.preparedEpoch = v.prepareEpoch;
                            v.preparedAtNanos = now;
                            v.error = "";
                        } else {
                            v.error = "VerifyFailed: ownership or mount options differ after prepare";
                        }
                    }
                } else if (!busy) {
                    v.preparing = false;
                }
                // What the controller's detach confirmation reads: exact while a detach is asked for, else the
                // last known (a prepare made it, a removal ended it), saving an engine request per volume and tick.
                if (v.detachRequested) {
                    v.mounted = docker.volumePresent(v.name);
                }
            } catch (LocalDocker.DockerUnavailableException e) {
                v.preparing = false;
                unknown(v, e);
            } catch (RuntimeException e) {
                v.preparing = false;
                v.error = describe(e);
            }
        }
    }

    /**
     * Starts or polls the volume's reference removal ({@link LocalDocker#removeReference}); true once it is over.
     * A stale removal's refusal (the engine re-checked and found it in use, or not ours) is not an error of this
     * volume's relocation: retried once per lease, never reported. A detach removal's failure is reported.
     */
    private boolean collectRemoval(Vol v) {
        try {
            if (!docker.removeReference(v.name, v.removingStale)) {
                return false;
            }
            v.removing = false;
            if (v.removingStale) {
                v.local = null;
            }
            v.mounted = false;
            reportDue = true;
            return true;
        } catch (LocalDocker.DockerUnavailableException e) {
            v.removing = false;
            throw e;
        } catch (RuntimeException e) {
            v.removing = false;
            if (!v.removingStale) {
                throw e;
            }
            return true; // left in place; the next listing decides again
        }
    }

    /** Unknown is not zero: a confirmation must never be reported while dockerd cannot answer. */
    private static void unknown(Vol v, LocalDocker.DockerUnavailableException e) {
        v.containersAlive = -1;
        v.error = "DockerUnavailable: " + e.getMessage();
    }

    private static String describe(RuntimeException e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** One re-listing after the kills: a volume counts as fenced here only once none of its containers is alive. */
    private void confirmKills(Map<Vol, Integer> killed) {
        Map<String, List<String>> after;
        try {
            after = docker.containersMounting(killed.keySet().stream().map(v -> v.name).toList());
        } catch (LocalDocker.DockerUnavailableException e) {
            killed.keySet().forEach(v -> {
                unknown(v, e);
            });
            return;
        } catch (RuntimeException e) {
            killed.forEach((v, n) -> {
                v.containersAlive = n;
                v.error = describe(e);
            });
            return;
        }
        killed.forEach((v, n) -> {
            List<String> left = after.getOrDefault(v.name, List.of());
            v.containersAlive = left.size();
            if (left.isEmpty()) {
                reportDue = true;
                events.publish(volumeEvent(StateChange.Types.FENCE_EXECUTED, v, "WritersKilled",
                        Map.of("killed", n, "lapsed", lapsed)));
            }
        });
    }

    private void writeLeaseFile(long now) {
        Map<String, Long> allowed = new TreeMap<>();
        Map<String, Long> seen = new TreeMap<>();
        for (Vol v : volumes.values()) {
            if (allowed(v)) {
                allowed.put(v.name, v.grantedEpoch);
            }
            seen.put(v.name, v.seenRevision);
        }
        LeaseFile.Content c = new LeaseFile.Content(haveDeadline || !lapsed ? effectiveDeadline : 0, allowed, seen);
        if (!c.equals(lastWritten)) {
            leaseFile.write(c, now);
            lastWritten = c;
        }
    }

    /** An ack from a controller. Renews the lease from the acked heartbeat's send time and applies grants. */
    public void onAck(HeartbeatAck ack) {
        if (ack.incarnation() != incarnation || !ack.node().equals(node)) {
            return;
        }
        Long sent = sentAt.get(ack.seq());
        if (sent == null) {
            return;
        }
        long now = clock.monotonicNanos();
        lastAckedSeq = Math.max(lastAckedSeq, ack.seq());
        long d = timing.agentDeadline(sent);
        if (ack.extensionNanos() > 0) {
            // A controller grants an extension only after recording it (its own lease expiry and any successor's
            // honour it): asked for by this stopping agent, or given to every agent by a stopping controller.
            // Never more than this agent asked for, when it asked.
            d += handoverWanted > 0 ? Math.min(ack.extensionNanos(), handoverWanted) : ack.extensionNanos();
            handedOver |= handoverWanted > 0;
        }
        if (!haveDeadline || d > ackDeadline) {
            ackDeadline = d;
            haveDeadline = true;
        }
        boolean valid = now < timing.agentFencePoint(ackDeadline);
        if (!ackLeaseLost(now)) {
            pastLostPoint = false;
            proof = new Heartbeat.LeaseProof(ack.controller(), ack.stampNanos(),
                    peerRule.lostPoint(timing, ackDeadline) - now, leaseRun);
        }
        if (valid) {
            if (lapsed) {
                lapsed = false;
                effectiveDeadline = ackDeadline;
            }
            effectiveDeadline = Math.max(effectiveDeadline, ackDeadline);
            permitActive = false;
        }
        for (HeartbeatAck.VolumeGrant g : ack.grants()) {
            Vol v = vol(g.volume());
            if (g.revision() < v.seenRevision) {
                continue;
            }
            v.seenRevision = g.revision();
            if (g.granted()) {
                v.granted = true;
                v.grantedEpoch = g.epoch();
                v.detachRequested = false;
                if (valid) {
                    v.fenced = false;
                }
            } else {
                if (v.granted || !v.fenced) {
                    reportDue = true;
                }
                v.granted = false;
                v.fenced = true;
                v.revokedRevision = Math.max(v.revokedRevision, g.revision());
            }
        }
        // The wrapper must see a renewal at once, not a tick later: that tick is part of the blip bound.
        writeLeaseFile(now);
    }

    /** A command from the controller (at-least-once; idempotent). */
    public void onCommand(AgentCommand command) {
        Vol v = vol(command.volume());
        if (command.revision() < v.seenRevision) {
            return;
        }
        v.seenRevision = command.revision();
        if (command instanceof AgentCommand.Fence) {
            v.granted = false;
            v.fenced = true;
            v.detachRequested = true;
        } else if (command instanceof AgentCommand.Prepare p) {
            // A newer prepare supersedes an older detach of the same volume (the node is the target again).
            v.detachRequested = false;
            v.prepareRevision = Math.max(v.prepareRevision, command.revision());
            v.spec = p.spec();
            v.prepareEpoch = Math.max(v.prepareEpoch, p.epoch());
        }
    }

    /** A message from a peer agent. */
    public void onPeerMessage(PeerMessage message) {
        if (message instanceof PeerMessage.Query q) {
            boolean lost = ackLeaseLost(clock.monotonicNanos());
            peers.send(q.from(), new PeerMessage.Reply(node, q.queryId(), lost));
        } else if (message instanceof PeerMessage.Reply r) {
            Long sent = querySentAt.get(r.queryId());
            if (sent == null) {
                return;
            }
            long[] prev = answers.get(r.from());
            if (prev == null || prev[0] < r.queryId()) {
                answers.put(r.from(), new long[]{r.queryId(), sent, r.leaseLost() ? 1 : 0});
            }
        }
    }

    private Vol vol(String name) {
        return volumes.computeIfAbsent(name, Vol::new);
    }

    /** True while the node may keep writers of {@code volume} alive (for tests and health). */
    public boolean allows(String volume) {
        Vol v = volumes.get(volume);
        return v != null && allowed(v);
    }

    public boolean lapsed() {
        return lapsed;
    }

    public long effectiveDeadline() {
        return effectiveDeadline;
    }

    private StateChange nodeEvent(String type, String phase, Map<String, Object> data) {
        return new StateChange(type, node, node, 0, phase, clock.wallTime(), data);
    }

    private StateChange volumeEvent(String type, Vol v, String phase, Map<String, Object> data) {
        Map<String, Object> d = new HashMap<>(data);
        d.put("node", node);
        return new StateChange(type, v.name, v.name, v.grantedEpoch, phase, clock.wallTime(), d);
    }
}
