package dev.relocator.core.controller;

import dev.relocator.core.events.EventSink;
import dev.relocator.core.events.StateChange;
import dev.relocator.core.lease.PeerMajority;
import dev.relocator.core.model.Attachment;
import dev.relocator.core.model.FenceEvidence;
import dev.relocator.core.model.Labels;
import dev.relocator.core.model.MoveRequest;
import dev.relocator.core.model.NodeInfo;
import dev.relocator.core.model.Phase;
import dev.relocator.core.model.ServiceUpdate;
import dev.relocator.core.model.ServiceView;
import dev.relocator.core.model.TaskView;
import dev.relocator.core.model.VolumeSpec;
import dev.relocator.core.model.VolumeState;
import dev.relocator.core.model.VolumeStatus;
import dev.relocator.core.ports.AgentCommands;
import dev.relocator.core.ports.Clock;
import dev.relocator.core.ports.ClusterUnavailableException;
import dev.relocator.core.ports.ExternalFence;
import dev.relocator.core.ports.StaleVersionException;
import dev.relocator.core.ports.SwarmCluster;
import dev.relocator.core.protocol.AgentCommand;
import dev.relocator.core.protocol.Heartbeat;
import dev.relocator.core.protocol.HeartbeatAck;
import dev.relocator.core.protocol.VolumeReport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The controller: one instance per manager, active only while it can prove it runs on the Swarm
 * leader ({@link #leadershipTick()}). It answers agent heartbeats (renewing leases and carrying
 * per-volume grants) and reconciles each {@link VolumeSpec}, level-triggered and idempotent:
 * every reconcile re-reads the service, derives the phase from its labels, runs the one step of
 * that phase, and returns when to look again. Every transition is exactly one compare-and-swap
 * service update, so a deposed or racing controller's stale decision fails with
 * {@link StaleVersionException} instead of taking effect.
 *
 * <p>Two numbers are kept apart. Swarm's {@code Version.Index} is the CAS token of writes only:
 * Swarm's own updater moves it after every update (UpdateStatus, task reconciliation), so it is
 * never evidence. Every controller CAS also writes {@link Labels#REVISION}, a number only
 * controllers write; grants and commands carry it, agents report the highest they saw, and a
 * report confirms a phase only if it saw at least that phase's revision. A CAS that fails only
 * because Swarm moved the version (the controller-owned part of the service is unchanged on a
 * re-read) is retried against the new version a bounded number of times.
 *
 * <p>Not thread-safe: the caller serialises all calls (one event loop).
 *
 * <p>The class is not final only for the simulation's negative controls, which override
 * {@link #peerMajorityProven}, {@link #leaseExpiry}, {@link #agentLive} and {@link #findEvidence} in test code to prove
 * the checker catches a controller without those rules; production code never subclasses it.
 */
public class Controller {

    private final String id;
    private final ControllerConfig cfg;
    private final Clock clock;
    private final SwarmCluster cluster;
    private final AgentCommands agents;
    private final ExternalFence externalFence;
    private final EventSink events;

    private final Map<String, VolumeSpec> specs = new TreeMap<>();
    private final Map<String, Cached> cache = new TreeMap<>();
    private final Set<String> loaded = new HashSet<>();
    private final Map<String, AgentInfo> agentInfo = new TreeMap<>();
    private final Map<String, Attempts> attempts = new HashMap<>();
    private final Map<String, String> health = new HashMap<>();
    private final Map<String, String> lastWaitReason = new HashMap<>();
    private final Map<String, String> lastWaitDetail = new HashMap<>();
    private final Map<String, VolumeStatus.LastRelocation> lastRelocation = new HashMap<>();
    /** Spec name → the hold reason published for it ({@code Paused}, {@code MaintenanceMode}), until released. */
    private final Map<String, String> held = new HashMap<>();
    /** {@code node/volume} → this term's dealings with the fence hook since the node last heartbeated. */
    private final Map<String, HookEpisode> hooks = new HashMap<>();
    /**
     * Node → the time (this controller's clock) until which its silence is covered by a hand-over extension:
     * the node counts as having heartbeated then. From this term's grants and from the Swarm-recorded grants
     * of earlier terms ({@link #HANDOVER_LABEL}).
     */
    private final Map<String, Long> handoverUntil = new HashMap<>();
    private final Map<String, Long> handoverClearTried = new HashMap<>();
    /** While this controller stops ({@link #beginHandover}): the extension every ack carries, until {@code handoverAllEnd}. */
    private long handoverAllNanos;
    private long handoverAllEnd;

    private boolean maintenance;
    private String maintenanceReason = "";
    private boolean active;
    private long activationNanos;
    private long lastConfirmStart;

    /** Trigger of a relocation whose source the fence hook confirmed powered off. */
    static final String NODE_FENCED = "NodeFenced";
    static final String PAUSED = "Paused";
    static final String MAINTENANCE = "MaintenanceMode";
    /**
     * Node label recording a granted hand-over extension (milliseconds beyond a plain lease, counted from the
     * grant) in Swarm's Raft store, so a controller activated later honours it. Removed once it has run out.
     */
    public static final String HANDOVER_LABEL = "status.relocator.dev/handover-extension-ms";

    /** Stale-version retries of one transition when only Swarm moved the version (see {@link #transition}). */
    static final int SWARM_BUMP_RETRIES = 3;

    private record Cached(String volume, VolumeState state, long revision) {
    }

    private static final class AgentInfo {
        long lastReceipt;
        Map<String, VolumeReport> reports = Map.of();
        boolean proofValid;
        long proofIncarnation;
        long proofRun;
        long proofFrom;
        long proofUntil;
    }

    /** One loss of a node as far as the fence hook is concerned; forgotten when the node heartbeats. */
    private static final class HookEpisode {
        boolean asked;
        /** When this episode's request was first seen FAILED (and published), or -1. */
        long failedAt = -1;
        /** The hook failed at least once in this episode: the non-strict fallback to the lease applies. */
        boolean failedOnce;
    }

    private static final class Attempts {
        Phase phase;
        long revision;
        int count;
        long firstNanos;
    }

    /**
     * Everything one reconcile step reads; built once per reconcile.
     *
     * @param revision the controller revision ({@link Labels#REVISION}) the state {@code st} was written at
     */
    protected record Ctx(VolumeSpec spec, ServiceView svc, VolumeState st, long revision, List<NodeInfo> nodes,
                         long now, Instant wall) {
    }

    public Controller(String id, ControllerConfig cfg, Clock clock, SwarmCluster cluster, AgentCommands agents,
                      ExternalFence externalFence, EventSink events) {
        this.id = id;
        this.cfg = cfg;
        this.clock = clock;
        this.cluster = cluster;
        this.agents = agents;
        this.externalFence = externalFence;
        this.events = events;
    }

    public String id() {
        return id;
    }

    public ControllerConfig config() {
        return cfg;
    }

    /**
     * Adds or replaces a spec. Bad placement expressions are rejected here with the reason.
     */
    public void register(VolumeSpec spec) {
        spec.placement().forEach(Placement::validate);
        specs.put(spec.name(), spec);
    }

    public void unregister(String name) {
        VolumeSpec s = specs.remove(name);
        if (s != null) {
            cache.remove(s.volumeName());
            loaded.remove(name);
            lastWaitReason.remove(name);
            lastWaitDetail.remove(name);
            lastRelocation.remove(name);
            held.remove(name);
        }
    }

    /**
     * Cluster-wide maintenance mode: while enabled no relocation and no first placement starts (hands
     * off), but a relocation in flight finishes, because stopping between Fencing and Attached would
     * leave the workload down half-way. Published once per change; each held volume reports
     * {@code MaintenanceMode} as its waiting reason. Kept across leadership changes of this instance
     * (the caller owns the setting and gives it to every instance).
     *
     * @param reason why, for humans (shown in every held volume's status); null reads as empty
     */
    public void setMaintenance(boolean enabled, String reason) {
        String r = reason == null ? "" : reason.strip();
        if (enabled == maintenance && r.equals(maintenanceReason)) {
            return;
        }
        boolean changed = enabled != maintenance;
        maintenance = enabled;
        maintenanceReason = enabled ? r : "";
        if (changed) {
            publish(StateChange.Types.MAINTENANCE_CHANGED, id, id, 0, enabled ? "On" : "Off",
                    Map.of("controller", id, "reason", r));
        }
    }

    public boolean maintenance() {
        return maintenance;
    }

    /**
     * What this term read or wrote about the named volume, with the latest waiting reason and the
     * last relocation completed in this term; empty before its first read in this term (and for an
     * unknown name). The state is null when the read found no service or malformed labels (the
     * waiting reason says which).
     */
    public Optional<VolumeStatus> status(String name) {
        VolumeSpec spec = specs.get(name);
        if (spec == null || !loaded.contains(name)) {
            return Optional.empty();
        }
        Cached c = cache.get(spec.volumeName());
        return Optional.of(new VolumeStatus(name, c == null ? null : c.state(), lastWaitReason.get(name),
                lastWaitDetail.get(name), lastRelocation.get(name)));
    }

    // ------------------------------------------------------------------ leadership

    /**
     * Proves leadership with a quorum write; run every {@code leaderLease / 4}. On becoming active
     * the controller forgets everything it knew (state is re-read from Swarm, leases are re-learnt
     * from heartbeats) and trusts no lease expiry before {@code activation + leaderLease + lease + margin}.
     *
     * @return true when this controller may act
     */
    public boolean leadershipTick() {
        long start = clock.monotonicNanos();
        boolean ok;
        boolean certainlyNot = false;
        try {
            ok = cluster.confirmLeadership();
            certainlyNot = !ok;
        } catch (ClusterUnavailableException e) {
            ok = false;
        }
        if (ok) {
            lastConfirmStart = start;
            if (!active) {
                active = true;
                activationNanos = start;
                cache.clear();
                loaded.clear();
                agentInfo.clear();
                attempts.clear();
                health.clear();
                lastWaitReason.clear();
                lastWaitDetail.clear();
                lastRelocation.clear();
                held.clear();
                hooks.clear();
                handoverUntil.clear();
                handoverClearTried.clear();
                handoverAllNanos = 0;
                publish(StateChange.Types.NODE_HEALTH_CHANGED, id, id, 0, "ControllerActive", Map.of("controller", id));
            }
        } else if (active && (certainlyNot || start - lastConfirmStart >= cfg.leaderLease().toNanos())) {
            active = false;
            publish(StateChange.Types.NODE_HEALTH_CHANGED, id, id, 0, "ControllerInactive", Map.of("controller", id));
        }
        return acting(start);
    }

    /** Active and within the leader lease of the last successful proof. */
    public boolean acting() {
        return acting(clock.monotonicNanos());
    }

    private boolean acting(long now) {
        return active && now - lastConfirmStart < cfg.leaderLease().toNanos();
    }

    // ------------------------------------------------------------------ heartbeats

    /**
     * Records the heartbeat (receipt time, reports, lease proof) and, when acting and every
     * registered volume has been read in this term, answers it with the node's grants.
     */
    public Optional<HeartbeatAck> onHeartbeat(Heartbeat hb) {
        long now = clock.monotonicNanos();
        if (!active) {
            return Optional.empty();
        }
        AgentInfo ai = agentInfo.computeIfAbsent(hb.node(), n -> new AgentInfo());
        ai.lastReceipt = now;
        ai.reports = hb.volumes();
        nodeIsBack(hb.node());
        Heartbeat.LeaseProof p = hb.proof();
        if (p != null && p.controller().equals(id) && p.remainingNanos() > 0) {
            long until = p.ackStampNanos() + cfg.timing().shrinkForeignDuration(p.remainingNanos());
            if (ai.proofValid && ai.proofIncarnation == hb.incarnation() && ai.proofRun == p.leaseRun()) {
                ai.proofUntil = Math.max(ai.proofUntil, until);
            } else {
                ai.proofValid = true;
                ai.proofIncarnation = hb.incarnation();
                ai.proofRun = p.leaseRun();
                ai.proofFrom = now;
                ai.proofUntil = until;
            }
        }
        if (!acting(now) || !loaded.containsAll(specs.keySet())) {
            return Optional.empty();
        }
        List<HeartbeatAck.VolumeGrant> grants = new ArrayList<>();
        for (Cached c : cache.values()) {
            Attachment a = c.state().grantedAttachment(c.volume());
            boolean g = a != null && a.node().equals(hb.node());
            grants.add(new HeartbeatAck.VolumeGrant(c.volume(), g, g ? a.epoch() : 0, c.revision()));
        }
        long ask = hb.handoverNanos();
        if (handoverAllNanos > 0 && now < handoverAllEnd) {
            ask = Math.max(ask, handoverAllNanos);
        }
        long extension = ask > 0 ? grantHandover(hb.node(), hb.incarnation(), ask, now) : 0;
        return Optional.of(new HeartbeatAck(id, now, hb.node(), hb.incarnation(), hb.seq(), grants, extension));
    }

    /**
     * A stopping agent asks for its lease to run on while the next instance on its node starts. Granted (at most
     * {@link ControllerConfig#maxHandover}) only once recorded in Swarm by a quorum write and only while this
     * controller still acts after that write: a successor, which trusts no lease expiry before its activation +
     * leader lease, then reads the record in every node listing it decides on, so it honours the extension too.
     *
     * @return the extension granted, 0 for none (the ack then renews the plain lease only)
     */
    private long grantHandover(String node, long incarnation, long asked, long receipt) {
        long want = Math.min(asked, cfg.maxHandover().toNanos());
        if (want <= 0) {
            return 0;
        }
        // the extension is measured on the agent's clock too: its rate difference over the extension
        long until = receipt + want + (long) Math.ceil(2 * cfg.timing().maxDriftRate() * want);
        Long held = handoverUntil.get(node);
        if (held != null && held >= until && handoverClearTried.get(node) == null) {
            // already recorded in Swarm beyond this grant (this controller's hand-over of every node)
            return want;
        }
        if (!record(node, Math.max(until, held == null ? Long.MIN_VALUE : held), receipt)) {
            return 0;
        }
        publish(StateChange.Types.NODE_HEALTH_CHANGED, node, node, 0, "HandoverGranted",
                Map.of("extensionMillis", want / 1_000_000, "incarnation", incarnation));
        return want;
    }

    /** Records {@code covered} for {@code node} in Swarm; true (and noted) only if written and still acting afterwards. */
    private boolean record(String node, long covered, long now) {
        long recordMillis = Math.max(1, (covered - now + 999_999) / 1_000_000);
        try {
            cluster.recordHandover(node, recordMillis);
        } catch (ClusterUnavailableException e) {
            publish(StateChange.Types.NODE_HEALTH_CHANGED, node, node, 0, "HandoverRefused",
                    Map.of("reason", "no extension granted: " + e.getMessage()));
            return false;
        }
        if (!acting(clock.monotonicNanos())) {
            return false;
        }
        handoverUntil.put(node, covered);
        handoverClearTried.remove(node);
        return true;
    }

    /**
     * This controller's instance is stopping (an operator update of the leader's node): until it is replaced no
     * agent gets an ack, longer than a lease. Records for every node an extension of {@code extension} (capped)
     * counted from the end of a grant window of {@code window}, then answers every heartbeat in that window with
     * it, so every agent rides over the controller's restart as its own node's agent rides over its own. A
     * successor honours the records exactly as for one node.
     *
     * @return the nodes recorded (their agents get the extension with their next ack)
     */
    public List<String> beginHandover(Duration extension, Duration window) {
        long now = clock.monotonicNanos();
        long want = Math.min(extension.toNanos(), cfg.maxHandover().toNanos());
        if (!acting(now) || want <= 0) {
            return List.of();
        }
        List<NodeInfo> nodes;
        try {
            nodes = cluster.nodes();
        } catch (ClusterUnavailableException e) {
            return List.of();
        }
        long until = now + window.toNanos() + want + (long) Math.ceil(2 * cfg.timing().maxDriftRate() * want);
        List<String> recorded = new ArrayList<>();
        for (NodeInfo n : nodes) {
            if (record(n.id(), Math.max(until, handoverUntil.getOrDefault(n.id(), Long.MIN_VALUE)), now)) {
                recorded.add(n.id());
            }
        }
        if (!recorded.isEmpty()) {
            handoverAllNanos = want;
            handoverAllEnd = now + window.toNanos();
            publish(StateChange.Types.NODE_HEALTH_CHANGED, id, id, 0, "ControllerHandover",
                    Map.of("extensionMillis", want / 1_000_000, "nodes", List.copyOf(recorded)));
        }
        return recorded;
    }

    /**
     * Honours the hand-over extensions recorded in Swarm (by this or an earlier term) as counted from this term's
     * baseline, the earliest a predecessor's last grant can be assumed; removes a record that has run out.
     * Runs on every node listing, before anything is decided on it.
     */
    private void noteHandovers(List<NodeInfo> nodes, long now) {
        for (NodeInfo n : nodes) {
            String v = n.labels().get(HANDOVER_LABEL);
            if (v == null) {
                continue;
            }
            long nanos;
            try {
                nanos = Math.multiplyExact(Long.parseLong(v.strip()), 1_000_000L);
            } catch (NumberFormatException | ArithmeticException e) {
                // unreadable: assume the longest extension either this or the default configuration grants
                nanos = Math.max(cfg.maxHandover().toNanos(), ControllerConfig.DEFAULT_MAX_HANDOVER.toNanos());
            }
            // recorded on another controller's clock: both rates may be off in opposite directions
            long foreign = nanos + (long) Math.ceil(4 * cfg.timing().maxDriftRate() * nanos);
            long until = successorBaseline() + foreign;
            long covered = handoverUntil.merge(n.id(), until, Math::max);
            if (now >= covered && now - handoverClearTried.getOrDefault(n.id(), Long.MIN_VALUE / 2) >= cfg.timing().lease().toNanos()) {
                handoverClearTried.put(n.id(), now);
                try {
                    cluster.recordHandover(n.id(), 0);
                } catch (ClusterUnavailableException e) {
                    // a stale record only delays a later failover of that node; retried once per lease
                }
            }
        }
    }

    /** The earliest receipt this term may assume for a node it has not heard from: the predecessor may have acked until then. */
    private long successorBaseline() {
        long ll = cfg.leaderLease().toNanos();
        return activationNanos + ll + (long) Math.ceil(2 * cfg.timing().maxDriftRate() * ll);
    }

    /**
     * A node heartbeats: it runs. A power-off the hook confirmed for it is over (someone powered it
     * back on), so its outcome is reset: a later loss must be fenced afresh, never by a stale
     * confirmation. A heartbeat that was in flight when the node went off can only cause a second,
     * idempotent request; the evidence of a relocation past Fencing is in its labels, not here.
     */
    private void nodeIsBack(String node) {
        String prefix = node + "/";
        hooks.keySet().removeIf(k -> k.startsWith(prefix));
        for (VolumeSpec s : specs.values()) {
            if (externalFence.state(node, s.volumeName()) == ExternalFence.State.CONFIRMED) {
                externalFence.reset(node);
                publish(StateChange.Types.NODE_HEALTH_CHANGED, node, node, 0, "FenceReset",
                        Map.of("reason", "the node heartbeats again after a confirmed power-off"));
                return;
            }
        }
    }

    /**
     * When the controller is sure node's lease has expired (its own receipts, or its activation if none), with
     * a hand-over extension counted as a heartbeat received at its end.
     */
    public long leaseExpiry(String node) {
        return Math.max(plainLeaseExpiry(node), cfg.timing().controllerExpiry(handoverUntil.getOrDefault(node, Long.MIN_VALUE / 2)));
    }

    /** {@link #leaseExpiry} without hand-over extensions (the simulation's negative control overrides with it). */
    protected final long plainLeaseExpiry(String node) {
        AgentInfo ai = agentInfo.get(node);
        long baseline = successorBaseline();
        long receipt = ai == null ? baseline : Math.max(ai.lastReceipt, baseline);
        return cfg.timing().controllerExpiry(receipt);
    }

    /** A heartbeat arrived within one lease: the agent can be talked to and can be a target. */
    public boolean agentLive(String node) {
        AgentInfo ai = agentInfo.get(node);
        return ai != null && clock.monotonicNanos() - ai.lastReceipt < cfg.timing().lease().toNanos();
    }

    /**
     * The controller's mirror of the agents' peer-majority rule: true when
     * {@link PeerMajority#controllerNeedsProvenPeers} of {@code source}'s peers are proven to have held their own lease throughout
     * {@code [now - window, now]}. Only then can no agent permit have kept the source's writers alive.
     */
    protected boolean peerMajorityProven(String source, List<NodeInfo> nodes, long now) {
        long window = cfg.peerRule().controllerWindowNanos(cfg.timing());
        int electorate = 0;
        int proven = 0;
        for (NodeInfo n : nodes) {
            if (n.id().equals(source)) {
                continue;
            }
            electorate++;
            AgentInfo ai = agentInfo.get(n.id());
            if (ai != null && ai.proofValid && ai.proofFrom <= now - window && ai.proofUntil >= now) {
                proven++;
            }
        }
        return proven >= PeerMajority.controllerNeedsProvenPeers(electorate);
    }

    // ------------------------------------------------------------------ reconcile

    /** One level-triggered reconcile of the named spec. */
    public ReconcileResult reconcile(String name) {
        long now = clock.monotonicNanos();
        if (!acting(now)) {
            return ReconcileResult.requeueAfter(cfg.leaderLease().dividedBy(4), "NotLeader");
        }
        VolumeSpec spec = specs.get(name);
        if (spec == null) {
            return ReconcileResult.requeueAfter(cfg.resync(), "Unregistered");
        }
        ServiceView svc;
        List<NodeInfo> nodes;
        try {
            svc = cluster.service(spec.service()).orElse(null);
            nodes = cluster.nodes();
        } catch (ClusterUnavailableException e) {
            return ReconcileResult.requeueAfter(cfg.poll(), "ClusterUnavailable");
        }
        noteHandovers(nodes, now);
        loaded.add(name);
        if (svc == null) {
            cache.remove(spec.volumeName());
            waiting(spec, "ServiceMissing", "service " + spec.service() + " does not exist; create it with replicas 0");
            return ReconcileResult.requeueAfter(cfg.resync(), "ServiceMissing");
        }
        VolumeState st;
        long revision;
        Instant wall = clock.wallTime();
        try {
            st = VolumeState.fromLabels(svc.labels(), wall);
            revision = VolumeState.revisionOf(svc.labels());
        } catch (IllegalArgumentException e) {
            cache.remove(spec.volumeName());
            waiting(spec, "MalformedLabels", e.getMessage());
            return ReconcileResult.requeueAfter(cfg.resync(), "MalformedLabels");
        }
        cache.put(spec.volumeName(), new Cached(spec.volumeName(), st, revision));
        observeNodeHealth(nodes, now);
        Ctx c = new Ctx(spec, svc, st, revision, nodes, now, wall);
        if (st.phase() != Phase.PENDING && !shapeMatches(c)) {
            return transition(c, st, "ShapeRepaired");
        }
        return switch (st.phase()) {
            case PENDING -> pending(c);
            case ATTACHED -> attached(c);
            case FENCING -> fencing(c);
            case DETACHING -> detaching(c);
            case ATTACHING -> attaching(c);
            case STARTING -> starting(c);
            case FAILED -> failed(c);
        };
    }

    /** Pending: fence a single running task (adoption), or wait for strays to go, or choose a first target. */
    private ReconcileResult pending(Ctx c) {
        // A first placement is not a relocation, but paused means "observe only" and maintenance means
        // hands off: neither places, adopts nor scales a stray service down.
        String hold = holdReason(c.spec());
        if (hold != null) {
            return hold(c, hold, "first placement");
        }
        release(c);
        List<TaskView> live = c.svc().tasks().stream().filter(t -> !terminal(t.state())).toList();
        List<TaskView> running = live.stream().filter(t -> t.state() == TaskView.TaskState.RUNNING).toList();
        if (live.size() > 1) {
            waiting(c.spec(), "MoreThanOneTask", "service " + c.spec().service() + " has " + live.size()
                    + " live tasks; a relocatable workload must have one replica");
            return ReconcileResult.requeueAfter(cfg.resync(), "MoreThanOneTask");
        }
        if (running.size() == 1 && running.get(0).nodeId() != null) {
            // A writer that started before the operator runs without a grant and maybe without the fencing
            // wrapper: adopting it in place would leave hard case 1 uncovered. It is fenced like any other
            // writer (epoch 0) and restarted under the protocol, at the price of one restart.
            String node = running.get(0).nodeId();
            return transition(c, new VolumeState(Phase.FENCING, 0, node, null, c.wall(), "AdoptRunningTask",
                    FenceEvidence.NONE, 0, null, new VolumeState.Relocation("AdoptRunningTask", node, c.wall())),
                    "AdoptRunningTask");
        }
        if (!live.isEmpty()) {
            return ReconcileResult.requeueAfter(cfg.poll(), "WaitingForTaskToSettle");
        }
        if (c.svc().replicas() != 0) {
            return transition(c, c.st(), "ScaledToZeroBeforePlacement");
        }
        Optional<String> target = chooseTarget(c, null);
        if (target.isEmpty()) {
            return failAttempt(c, "NoEligibleNode");
        }
        return transition(c, new VolumeState(Phase.ATTACHING, 0, null, target.get(), c.wall(), "FirstPlacement",
                FenceEvidence.NEVER_ATTACHED, 0, null), "FirstPlacement");
    }

    /**
     * Attached: relocate on lease expiry, node removal, Swarm drain, a failing task under the RELOCATE
     * policy, a power-off the fence hook confirmed, or a planned move / drain the user asked for; none
     * of them while the volume is paused or the cluster is in maintenance.
     */
    private ReconcileResult attached(Ctx c) {
        String node = c.st().node();
        String vol = c.spec().volumeName();
        String trigger = relocationTrigger(c, node);
        boolean hook = externalFence.state(node, vol) != ExternalFence.State.NOT_CONFIGURED;
        if (trigger == null && hook && externalFence.confirmed(node, vol)) {
            trigger = NODE_FENCED;
        }
        MoveRequest move = c.spec().move();
        boolean movePending = move != null && move.pendingFor(node);
        String hold = holdReason(c.spec());
        if (hold != null) {
            // Hands off includes the hook: a power-off with no relocation after it is pure harm.
            return hold(c, hold, trigger != null ? trigger + " of node " + node
                    : movePending ? (move.to() != null ? "move to node " + move.to() : "drain of node " + node) : null);
        }
        release(c);
        if (trigger == null && hook && fenceWorthy(c, node)) {
            requestFence(c, node);
            if (externalFence.confirmed(node, vol)) {
                trigger = NODE_FENCED;
            }
        }
        if (trigger != null) {
            // A failure-driven move still honours a requested target the node can take.
            String target = movePending && move.to() != null && targetProblem(c, move.to(), node) == null
                    ? move.to() : null;
            return startRelocation(c, trigger, target);
        }
        if (movePending) {
            return plannedMove(c, move);
        }
        clearWaiting(c.spec());
        long untilExpiry = leaseExpiry(node) - c.now();
        long next = Math.min(cfg.resync().toNanos(), untilExpiry);
        if (hook) {
            next = Math.min(next, lastHeard(node) + fenceWorthySilence() - c.now());
        }
        next = Math.max(cfg.poll().toNanos(), next);
        return ReconcileResult.requeueAfter(Duration.ofNanos(next), "Healthy");
    }

    /**
     * A planned move (to a node) or drain (from a node) of a running, cooperating writer. Refused up
     * front, the workload staying where it runs, when the requested target cannot take it or no other
     * node qualifies for a drain: a healthy writer is never stopped towards nowhere.
     */
    private ReconcileResult plannedMove(Ctx c, MoveRequest m) {
        String node = c.st().node();
        if (m.to() != null) {
            String problem = targetProblem(c, m.to(), node);
            if (problem == null && m.to().equals(m.from())) {
                problem = "relocate-to and drain-from both name node " + m.to() + "; drop one of the two requests";
            }
            if (problem != null) {
                waiting(c.spec(), "TargetUnavailable", "move of " + c.spec().name() + " to node " + m.to()
                        + " refused, the workload stays on " + node + ": " + problem);
                return ReconcileResult.requeueAfter(cfg.resync(), "TargetUnavailable");
            }
            return startRelocation(c, VolumeState.PLANNED_MOVE, m.to());
        }
        if (chooseTarget(c, node).isEmpty()) {
            waiting(c.spec(), "NoEligibleNode", "drain of node " + node + " refused, the workload stays there: no"
                    + " other node is active and ready in Swarm, runs a live relocator agent and satisfies"
                    + " spec.placement " + c.spec().placement() + "; add or activate a node, or relax the placement");
            return ReconcileResult.requeueAfter(cfg.resync(), "NoEligibleNode");
        }
        // The target is chosen at Detaching, by placement excluding the drained node: it may change meanwhile.
        return startRelocation(c, VolumeState.NODE_DRAIN, null);
    }

    /** The Fencing CAS of a running attachment: the writer stops here, so the relocation's downtime starts here. */
    private ReconcileResult startRelocation(Ctx c, String trigger, String target) {
        VolumeState next = c.st().to(Phase.FENCING, c.wall(), trigger).withEvidence(FenceEvidence.NONE)
                .withTarget(target).withRelocation(new VolumeState.Relocation(trigger, c.st().node(), c.wall()));
        return transition(c, next, trigger);
    }

    /** Why {@code node} cannot take the volume now (a sentence with the fix), or null if it can. */
    private String targetProblem(Ctx c, String node, String current) {
        if (node.equals(current)) {
            return "it is the node the volume is attached to and must leave";
        }
        Optional<NodeInfo> n = c.nodes().stream().filter(x -> x.id().equals(node)).findFirst();
        if (n.isEmpty()) {
            return "node " + node + " is not a member of the swarm; give a node id from `docker node ls`";
        }
        if (n.get().availability() != NodeInfo.Availability.ACTIVE) {
            return "node " + node + " has availability " + n.get().availability().name().toLowerCase()
                    + " in Swarm; make it active (docker node update --availability active " + node + ") or choose another node";
        }
        if (n.get().state() != NodeInfo.SwarmState.READY) {
            return "node " + node + " is " + n.get().state().name().toLowerCase() + " in Swarm; bring it back or choose another node";
        }
        if (!agentLive(node)) {
            return "the relocator agent on node " + node + " has sent no heartbeat within the lease; start the agent"
                    + " (the global service must run there) or choose another node";
        }
        if (!Placement.matches(n.get(), c.spec().placement())) {
            return "node " + node + " does not satisfy spec.placement " + c.spec().placement()
                    + "; choose a node that does, or change the placement";
        }
        return null;
    }

    /** Paused (per volume) wins over maintenance (cluster-wide) as the reported reason: it is the more specific. */
    private String holdReason(VolumeSpec spec) {
        return spec.paused() ? PAUSED : maintenance ? MAINTENANCE : null;
    }

    private ReconcileResult hold(Ctx c, String reason, String pending) {
        held.put(c.spec().name(), reason);
        String why = reason.equals(PAUSED) ? "spec.paused is true: no relocation starts; set it to false to resume"
                : "the cluster is in maintenance mode" + (maintenanceReason.isEmpty() ? "" : " (" + maintenanceReason + ")")
                + ": no relocation starts; end maintenance to resume";
        waiting(c.spec(), reason, why + (pending == null ? "" : "; held: " + pending));
        // Something to act on is re-checked at poll pace so a resume acts at once; otherwise at resync pace.
        return ReconcileResult.requeueAfter(pending == null ? cfg.resync() : cfg.poll(), reason);
    }

    /** The volume is no longer held: published once. */
    private void release(Ctx c) {
        String was = held.remove(c.spec().name());
        if (was != null) {
            clearWaiting(c.spec());
            publish(StateChange.Types.RESUMED, c.spec().name(), c.spec().name(), c.st().epoch(), c.st().phase().label(),
                    Map.of("was", was));
        }
    }

    /** Fencing: the grant is revoked and replicas are 0; wait for evidence that the writer is dead. */
    private ReconcileResult fencing(Ctx c) {
        Optional<FenceEvidence> ev = findEvidence(c);
        if (ev.isPresent()) {
            String why = "Fenced" + camel(ev.get());
            ReconcileResult r = transition(c, c.st().to(Phase.DETACHING, c.wall(), why).withEvidence(ev.get()), why);
            if (r.why().equals(why) && c.st().node() != null) {
                publish(StateChange.Types.NODE_HEALTH_CHANGED, c.st().node(), c.st().node(), 0, "Fenced",
                        Map.of("volume", c.spec().volumeName(), "evidence", ev.get().name()));
            }
            return r;
        }
        return ReconcileResult.requeueAfter(cfg.poll(), "WaitingForFenceEvidence");
    }

    /**
     * The evidence rules. Agent confirmation counts only if the agent has seen this phase's controller
     * revision or a newer one (so it was sent after the grant was revoked, and no older grant can revive
     * the writer). Swarm's version is not compared: Swarm moves it by itself, the report would always lag.
     *
     * <p>The fence hook, where one applies, is asked as soon as the source is worth fencing
     * ({@link #fenceWorthy}); its confirmation is evidence at once. With
     * {@code spec.externalFence} (strict) nothing else is: lease expiry is never accepted, closing the
     * frozen-node gap. Without strictness a configured hook is still preferred: lease expiry counts
     * only once the hook failed (or timed out) in this loss of the node, or when no hook applies; and
     * lease expiry always needs the peer-majority mirror. A planned move's source is alive and
     * cooperating, so its only evidence is the agent's confirmation; lease expiry can arrive for it
     * only if it stopped heartbeating for a whole lease meanwhile, which is what makes it acceptable.
     */
    protected Optional<FenceEvidence> findEvidence(Ctx c) {
        String source = c.st().node();
        if (source == null) {
            return Optional.of(FenceEvidence.NEVER_ATTACHED);
        }
        String vol = c.spec().volumeName();
        VolumeReport r = report(source, vol);
        if (r != null && r.fenced() && r.containersAlive() == 0 && r.seenRevision() >= c.revision()) {
            return Optional.of(FenceEvidence.AGENT_CONFIRMED);
        }
        boolean expired = c.now() >= leaseExpiry(source);
        boolean hook = externalFence.state(source, vol) != ExternalFence.State.NOT_CONFIGURED;
        // Not on lease expiry alone: when this controller is the one cut off, every lease expires at once,
        // and powering off every node would turn its own outage into the cluster's.
        if (hook && fenceWorthy(c, source)) {
            requestFence(c, source);
        }
        ExternalFence.State hs = externalFence.state(source, vol);
        if (hs == ExternalFence.State.CONFIRMED) {
            return Optional.of(FenceEvidence.EXTERNAL_FENCE);
        }
        if (c.spec().externalFence()) {
            if (!hook && expired) {
                waiting(c.spec(), "ExternalFenceNotConfigured", "lease of " + source + " expired, but the volume"
                        + " requires an external fence (spec.fencing.external) and no fence hook applies to node "
                        + source + "; configure a hook for it, or set fencing.external to none to accept lease expiry");
            }
            return Optional.empty();
        }
        if (!expired) {
            return Optional.empty();
        }
        HookEpisode ep = hooks.get(hookKey(source, vol));
        if (hook && hs != ExternalFence.State.FAILED && (ep == null || !ep.failedOnce)) {
            waiting(c.spec(), "WaitingForFenceHook", "lease of " + source + " expired; the fence hook was asked to"
                    + " power it off and lease expiry is accepted only if the hook fails or times out");
            return Optional.empty();
        }
        if (peerMajorityProven(source, c.nodes(), c.now())) {
            return Optional.of(FenceEvidence.LEASE_EXPIRED);
        }
        waiting(c.spec(), "PeerMajorityUnproven", "lease of " + source + " expired but a majority of its peers is"
                + " not proven leased: the agent may be skipping its fence (control-plane outage); waiting for"
                + " the agent's confirmation or an external fence");
        return Optional.empty();
    }

    /**
     * The source is worth powering off: Swarm no longer lists it, or its silence is specific to it (a
     * majority of the other nodes heartbeats, so it is not this controller that is cut off) and
     * either lasted {@link #fenceWorthySilence()} or Swarm reports the node down as well.
     *
     * <p>Why not at "suspect" (two missed heartbeats) alone: a blip of that length must move nothing
     * (L2), and a power-off is a move. From {@code lease - killBudget} of silence on, the node's own
     * agent (if it runs at all) has passed its fence point and is killing the writer anyway, so the
     * power-off costs no uptime the lease would have kept; and a blip shorter than
     * {@code LeaseTiming.blipBound} never reaches it. Swarm's own down detection (about 10 s of
     * dispatcher silence) is an independent second opinion and is accepted after two missed heartbeats.
     */
    private boolean fenceWorthy(Ctx c, String node) {
        Optional<NodeInfo> n = c.nodes().stream().filter(x -> x.id().equals(node)).findFirst();
        if (n.isEmpty()) {
            return true;
        }
        long silence = c.now() - lastHeard(node);
        boolean swarmDown = n.get().state() != NodeInfo.SwarmState.READY;
        boolean suspect = silence > 2 * cfg.timing().heartbeat().toNanos();
        if (!suspect || !(silence >= fenceWorthySilence() || swarmDown)) {
            return false;
        }
        int others = 0;
        int live = 0;
        for (NodeInfo x : c.nodes()) {
            if (x.id().equals(node)) {
                continue;
            }
            others++;
            AgentInfo ai = agentInfo.get(x.id());
            if (ai != null && c.now() - ai.lastReceipt <= 2 * cfg.timing().heartbeat().toNanos()) {
                live++;
            }
        }
        return others > 0 && 2 * live > others;
    }

    private long fenceWorthySilence() {
        return cfg.timing().lease().toNanos() - cfg.timing().killBudget().toNanos();
    }

    /** The last heartbeat from the node in this term, or the activation if none arrived yet. */
    private long lastHeard(String node) {
        AgentInfo ai = agentInfo.get(node);
        long heard = ai == null ? activationNanos : Math.max(ai.lastReceipt, activationNanos);
        // a node handing over to its next agent instance is silent by agreement: not a loss to fence for
        return Math.max(heard, handoverUntil.getOrDefault(node, Long.MIN_VALUE));
    }

    /**
     * Asks the hook to power {@code node} off, at most once per outcome: a FAILED outcome of this
     * episode's request is published once ({@code FenceHookFailed}) and retried after
     * {@code retry.failedRetry}; a FAILED left from an earlier loss of the node is retried at once.
     */
    private void requestFence(Ctx c, String node) {
        String vol = c.spec().volumeName();
        HookEpisode ep = hooks.computeIfAbsent(hookKey(node, vol), k -> new HookEpisode());
        ExternalFence.State st = externalFence.state(node, vol);
        switch (st) {
            case IDLE -> askHook(c, node, ep);
            case FAILED -> {
                if (!ep.asked) {
                    askHook(c, node, ep);
                } else if (ep.failedAt < 0) {
                    ep.failedAt = c.now();
                    ep.failedOnce = true;
                    publish(StateChange.Types.ERROR, c.spec().name(), c.spec().name(), c.st().epoch(), "FenceHookFailed",
                            Map.of("node", node, "detail", "the fence hook failed or timed out for node " + node
                                    + (c.spec().externalFence() ? "; strict external fencing: retrying, the volume"
                                    + " waits for the hook or the agent" : "; falling back to lease expiry with the"
                                    + " peer-majority rule") + "; check the hook's configuration and logs"));
                } else if (c.now() - ep.failedAt >= cfg.retry().failedRetry().toNanos()) {
                    askHook(c, node, ep);
                }
            }
            default -> {
            }
        }
    }

    private void askHook(Ctx c, String node, HookEpisode ep) {
        ep.asked = true;
        ep.failedAt = -1;
        externalFence.request(node, c.spec().volumeName());
        publish(StateChange.Types.NODE_HEALTH_CHANGED, node, node, 0, "FenceRequested",
                Map.of("volume", c.spec().volumeName()));
    }

    private static String hookKey(String node, String volume) {
        return node + "/" + volume;
    }

    /** Detaching: on a reachable source, fence-and-unmount and wait for the confirmation; then choose the target. */
    private ReconcileResult detaching(Ctx c) {
        String source = c.st().node();
        // A powered-off source has nothing left to unmount; waiting for its agent would only burn the lease again.
        boolean off = source != null
                && (c.st().evidence() == FenceEvidence.EXTERNAL_FENCE || externalFence.confirmed(source, c.spec().volumeName()));
        if (source != null && !off && agentLive(source)) {
            agents.send(source, new AgentCommand.Fence(c.spec().volumeName(), c.st().epoch(), c.revision()));
            VolumeReport r = report(source, c.spec().volumeName());
            boolean done = r != null && r.seenRevision() >= c.revision() && r.containersAlive() == 0 && !r.mounted();
            if (!done) {
                return waitOrFail(c, "WaitingForDetach");
            }
        }
        String requested = c.st().target();
        Optional<String> target = requested != null && !requested.equals(source)
                && TargetSelector.eligible(c.nodes(), c.spec().placement(), requested, this::agentLive)
                ? Optional.of(requested) : chooseTarget(c, source);
        if (target.isEmpty() && source != null && !off && agentLive(source)
                && TargetSelector.eligible(c.nodes(), c.spec().placement(), source, this::agentLive)) {
            // No other node qualifies (a one-node cluster, or placement allows only this one): start again
            // where it was. Safe: the source's own live agent has just confirmed, at this revision, that no
            // writer is alive and the volume is unmounted; the epoch still grows, so S2/S3 hold as for a move.
            target = Optional.of(source);
        }
        if (target.isEmpty()) {
            return failAttempt(c, "NoEligibleNode");
        }
        return transition(c, c.st().withTarget(target.get()).to(Phase.ATTACHING, c.wall(), "Detached"), "Detached");
    }

    /** Attaching: the target prepares the volume for epoch e+1; the Starting CAS then moves the pin. */
    private ReconcileResult attaching(Ctx c) {
        String target = c.st().target();
        if (!TargetSelector.eligible(c.nodes(), c.spec().placement(), target, this::agentLive)) {
            Optional<String> other = chooseTarget(c, c.st().node());
            if (other.isEmpty()) {
                return failAttempt(c, "NoEligibleNode");
            }
            return transition(c, c.st().to(Phase.ATTACHING, c.wall(), "TargetLost").withTarget(other.get()), "TargetLost");
        }
        long next = c.st().epoch() + 1;
        agents.send(target, new AgentCommand.Prepare(c.spec(), next, c.revision()));
        VolumeReport r = report(target, c.spec().volumeName());
        if (r != null && r.preparedEpoch() >= next && r.error().isEmpty()) {
            return transition(c, new VolumeState(Phase.STARTING, next, target, target, c.wall(), "Prepared",
                    c.st().evidence(), 0, null, c.st().relocation()), "Prepared");
        }
        if (r != null && !r.error().isEmpty() && r.seenRevision() >= c.revision()) {
            return failAttempt(c, "PrepareFailed");
        }
        return waitOrFail(c, "WaitingForPrepare");
    }

    /** Starting: wait for the task to run on the new node; a dead target or a failing task is fenced in turn. */
    private ReconcileResult starting(Ctx c) {
        String node = c.st().node();
        boolean running = c.svc().tasks().stream()
                .anyMatch(t -> t.state() == TaskView.TaskState.RUNNING && node.equals(t.nodeId()));
        if (running) {
            return transition(c, c.st().to(Phase.ATTACHED, c.wall(), "Started").withRelocation(null), "Started");
        }
        String trigger = relocationTrigger(c, node);
        if (trigger != null) {
            // Still the same outage for the workload: the relocation in flight (and its downtime) goes on.
            VolumeState.Relocation rel = c.st().relocation() != null ? c.st().relocation()
                    : new VolumeState.Relocation(trigger, node, c.wall());
            return transition(c, c.st().to(Phase.FENCING, c.wall(), trigger).withEvidence(FenceEvidence.NONE)
                    .withTarget(null).withRelocation(rel), trigger);
        }
        return ReconcileResult.requeueAfter(cfg.poll(), "WaitingForTask");
    }

    /** Failed: after the back-off, resume the phase that failed. */
    private ReconcileResult failed(Ctx c) {
        Attempts a = attemptsFor(c);
        long waited = c.now() - a.firstNanos;
        // Failed for want of a target, and one qualifies now (typically the only other worker's operator, replaced
        // by Swarm after a partition, heartbeats again): retry at once rather than after failedRetry. Safe: the
        // retry re-enters the phase it failed in, whose own rules decide again.
        boolean targetNow = "NoEligibleNode".equals(c.st().reason()) && c.st().failedFrom() == Phase.DETACHING
                && chooseTarget(c, c.st().node()).isPresent();
        if (waited < cfg.retry().failedRetry().toNanos() && !targetNow) {
            return ReconcileResult.requeueAfter(Duration.ofNanos(cfg.retry().failedRetry().toNanos() - waited), "Failed");
        }
        VolumeState st = c.st();
        return transition(c, new VolumeState(st.failedFrom(), st.epoch(), st.node(), st.target(), c.wall(),
                "RetryAfterFailure", st.evidence(), st.attempt() + 1, null, st.relocation()), "RetryAfterFailure");
    }

    // ------------------------------------------------------------------ helpers

    private String relocationTrigger(Ctx c, String node) {
        Optional<NodeInfo> n = c.nodes().stream().filter(x -> x.id().equals(node)).findFirst();
        if (n.isEmpty()) {
            return "NodeRemoved";
        }
        if (c.now() >= leaseExpiry(node)) {
            return "LeaseExpired";
        }
        if (n.get().availability() == NodeInfo.Availability.DRAIN) {
            return "NodeDrained";
        }
        if (c.spec().taskFailurePolicy() == VolumeSpec.TaskFailurePolicy.RELOCATE
                && recentFailures(c, node) >= cfg.taskFailures()) {
            return "TaskFailing";
        }
        return null;
    }

    /**
     * Failures on the node within the window and since the current phase began (failures of the
     * previous attachment, or of a fenced pre-existing task, are not this attachment's); mount
     * failures ("volume in use") are failures too. Wall clocks of different hosts are compared
     * here: this is policy, never safety.
     */
    private long recentFailures(Ctx c, String node) {
        Instant window = c.wall().minus(cfg.taskFailureWindow());
        Instant since = window.isAfter(c.st().phaseSince()) ? window : c.st().phaseSince();
        return c.svc().tasks().stream()
                .filter(t -> node.equals(t.nodeId()) && t.state().failure() && t.timestamp().isAfter(since))
                .count();
    }

    private Optional<String> chooseTarget(Ctx c, String exclude) {
        Map<String, Integer> counts = new HashMap<>();
        for (Cached k : cache.values()) {
            VolumeState s = k.state();
            String n = switch (s.phase()) {
                case ATTACHED, STARTING -> s.node();
                case ATTACHING -> s.target();
                default -> null;
            };
            if (n != null) {
                counts.merge(n, 1, Integer::sum);
            }
        }
        return TargetSelector.choose(c.nodes(), c.spec().placement(), exclude, this::agentLive, counts);
    }

    private boolean shapeMatches(Ctx c) {
        VolumeState st = c.st();
        if (c.svc().replicas() != st.replicas()) {
            return false;
        }
        return c.svc().constraints().equals(constraints(c.spec(), st));
    }

    private static List<String> constraints(VolumeSpec spec, VolumeState st) {
        List<String> cs = new ArrayList<>(spec.placement());
        if (st.pinnedNode() != null) {
            cs.add(Labels.pin(st.pinnedNode()));
        }
        return cs;
    }

    /**
     * The one way state changes: a single CAS of labels (with a new {@link Labels#REVISION}),
     * constraints and replicas against the version read.
     *
     * <p>When the CAS is stale, the service is re-read: if its controller-owned part (every
     * {@code relocator.dev/*} label, the constraints, the replicas) is exactly what this decision was
     * made on, only Swarm (or a user, outside our labels) moved the version, and the same write is
     * retried against the new version, at most {@link #SWARM_BUMP_RETRIES} times. If any of it differs,
     * another controller wrote: the decision is dropped and the reconcile starts over. A deposed
     * controller's write therefore still fails as soon as its successor has written once.
     */
    private ReconcileResult transition(Ctx c, VolumeState next, String why) {
        long expected = c.svc().version();
        long version;
        long revision;
        int retries = 0;
        while (true) {
            revision = VolumeState.nextRevision(c.revision(), expected);
            Map<String, String> labels = new LinkedHashMap<>(next.toLabels());
            labels.put(Labels.REVISION, Long.toString(revision));
            ServiceUpdate u = new ServiceUpdate(labels, constraints(c.spec(), next), next.replicas());
            try {
                version = cluster.update(c.spec().service(), expected, u);
                break;
            } catch (StaleVersionException e) {
                if (retries++ >= SWARM_BUMP_RETRIES) {
                    return ReconcileResult.requeueAfter(Duration.ZERO, "StaleVersion");
                }
                Optional<ServiceView> again;
                try {
                    again = cluster.service(c.spec().service());
                } catch (ClusterUnavailableException ce) {
                    return ReconcileResult.requeueAfter(cfg.poll(), "ClusterUnavailable");
                }
                if (again.isEmpty() || !ownedPartUnchanged(c.svc(), again.get())) {
                    return ReconcileResult.requeueAfter(Duration.ZERO, "StaleVersion");
                }
                expected = again.get().version();
            } catch (ClusterUnavailableException e) {
                return ReconcileResult.requeueAfter(cfg.poll(), "ClusterUnavailable");
            }
        }
        cache.put(c.spec().volumeName(), new Cached(c.spec().volumeName(), next, revision));
        attempts.remove(c.spec().name());
        lastWaitReason.remove(c.spec().name());
        lastWaitDetail.remove(c.spec().name());
        if (next.phase() != c.st().phase() || !why.equals("ShapeRepaired")) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("fromPhase", c.st().phase().label());
            VolumeState.Relocation done = c.st().relocation();
            if (next.phase() == Phase.ATTACHED && done != null && next.relocation() == null) {
                Duration downtime = Duration.between(done.started(), c.wall());
                downtime = downtime.isNegative() ? Duration.ZERO : downtime;
                lastRelocation.put(c.spec().name(), new VolumeStatus.LastRelocation(done.from(), next.node(),
                        done.trigger(), done.started(), c.wall(), downtime));
                d.put("downtimeMillis", downtime.toMillis());
                d.put("trigger", done.trigger());
                d.put("from", done.from() == null ? "" : done.from());
                d.put("to", next.node());
            }
            d.put("node", next.node() == null ? "" : next.node());
            d.put("target", next.target() == null ? "" : next.target());
            d.put("reason", why);
            d.put("evidence", next.evidence().name());
            d.put("version", version);
            d.put("revision", revision);
            publish(StateChange.Types.PHASE_CHANGED, c.spec().name(), c.spec().name(), next.epoch(),
                    next.phase().label(), d);
        }
        return ReconcileResult.requeueAfter(Duration.ZERO, why);
    }

    /** The controller-owned part of two reads of a service is the same: only Swarm or a user moved its version. */
    private static boolean ownedPartUnchanged(ServiceView before, ServiceView after) {
        return owned(before.labels()).equals(owned(after.labels())) && before.replicas() == after.replicas()
                && before.constraints().equals(after.constraints());
    }

    private static Map<String, String> owned(Map<String, String> labels) {
        Map<String, String> m = new TreeMap<>();
        labels.forEach((k, v) -> {
            if (k.startsWith(Labels.STATE_PREFIX)) {
                m.put(k, v);
            }
        });
        return m;
    }

    /** Attempts of the current step, keyed by phase and revision: Swarm's own version bumps must not reset the budget. */
    private Attempts attemptsFor(Ctx c) {
        Attempts a = attempts.get(c.spec().name());
        if (a == null || a.phase != c.st().phase() || a.revision != c.revision()) {
            a = new Attempts();
            a.phase = c.st().phase();
            a.revision = c.revision();
            a.firstNanos = c.now();
            attempts.put(c.spec().name(), a);
        }
        return a;
    }

    /** Counts a failed attempt of the current step; retries with back-off, and goes to Failed when exhausted. */
    private ReconcileResult failAttempt(Ctx c, String why) {
        Attempts a = attemptsFor(c);
        a.count++;
        if (cfg.retry().exhausted(a.count)) {
            publish(StateChange.Types.ERROR, c.spec().name(), c.spec().name(), c.st().epoch(), c.st().phase().label(),
                    Map.of("reason", why, "attempts", a.count));
            return transition(c, c.st().failed(c.wall(), why), why);
        }
        waiting(c.spec(), why, why + " (attempt " + a.count + ")");
        return ReconcileResult.requeueAfter(cfg.retry().delayAfter(a.count), why);
    }

    /**
     * Waiting for an agent's report is not a failure, so it polls instead of backing off; it becomes
     * one when the wait exceeds the whole retry budget.
     */
    private ReconcileResult waitOrFail(Ctx c, String why) {
        Attempts a = attemptsFor(c);
        long budget = 0;
        for (int i = 1; i < cfg.retry().maxAttempts(); i++) {
            budget += cfg.retry().delayAfter(i).toNanos();
        }
        if (c.now() - a.firstNanos > budget) {
            a.count = cfg.retry().maxAttempts() - 1;
            return failAttempt(c, why + "Timeout");
        }
        return ReconcileResult.requeueAfter(cfg.poll(), why);
    }

    private VolumeReport report(String node, String volume) {
        AgentInfo ai = agentInfo.get(node);
        return ai == null ? null : ai.reports.get(volume);
    }

    private static boolean nodeMissing(Ctx c, String node) {
        return c.nodes().stream().noneMatch(n -> n.id().equals(node));
    }

    private static boolean terminal(TaskView.TaskState s) {
        return s == TaskView.TaskState.COMPLETE || s.failure() || s == TaskView.TaskState.SHUTDOWN;
    }

    private void observeNodeHealth(List<NodeInfo> nodes, long now) {
        for (NodeInfo n : nodes) {
            AgentInfo ai = agentInfo.get(n.id());
            String h;
            if (now >= leaseExpiry(n.id())) {
                h = "Down";
            } else if (ai == null || now - ai.lastReceipt > 2 * cfg.timing().heartbeat().toNanos()
                    || n.state() != NodeInfo.SwarmState.READY) {
                h = "Suspect";
            } else {
                h = "Up";
            }
            String prev = health.put(n.id(), h);
            if (!h.equals(prev)) {
                publish(StateChange.Types.NODE_HEALTH_CHANGED, n.id(), n.id(), 0, h,
                        Map.of("swarmState", n.state().name(), "availability", n.availability().name()));
            }
        }
    }

    /** Publishes a waiting reason once per change, not on every poll. */
    private void waiting(VolumeSpec spec, String reason, String detail) {
        lastWaitDetail.put(spec.name(), detail);
        if (!reason.equals(lastWaitReason.put(spec.name(), reason))) {
            publish(StateChange.Types.ERROR, spec.name(), spec.name(), 0, reason, Map.of("detail", detail));
        }
    }

    /** The volume progresses (or is healthy): it waits for nothing any more. */
    private void clearWaiting(VolumeSpec spec) {
        lastWaitReason.remove(spec.name());
        lastWaitDetail.remove(spec.name());
    }

    private void publish(String type, String subject, String key, long epoch, String phase, Map<String, Object> data) {
        events.publish(new StateChange(type, subject, key, epoch, phase, clock.wallTime(), data));
    }

    private static String camel(FenceEvidence e) {
        StringBuilder b = new StringBuilder();
        for (String part : e.name().split("_")) {
            b.append(part.charAt(0)).append(part.substring(1).toLowerCase());
        }
        return b.toString();
    }

    /** Cached state of a volume (tests, health, the API); empty before the first read in this term. */
    public Optional<VolumeState> cachedState(String volume) {
        Cached c = cache.get(volume);
        return c == null ? Optional.empty() : Optional.of(c.state());
    }
}
