package dev.relocator.sim;

import dev.relocator.core.agent.Agent;
import dev.relocator.core.controller.Controller;
import dev.relocator.core.controller.ControllerConfig;
import dev.relocator.core.controller.ReconcileResult;
import dev.relocator.core.events.EventSink;
import dev.relocator.core.events.StateChange;
import dev.relocator.core.lease.LeaseTiming;
import dev.relocator.core.model.FenceEvidence;
import dev.relocator.core.model.Labels;
import dev.relocator.core.model.MoveRequest;
import dev.relocator.core.model.NodeInfo;
import dev.relocator.core.model.ServiceUpdate;
import dev.relocator.core.model.ServiceView;
import dev.relocator.core.model.TaskView;
import dev.relocator.core.model.VolumeSpec;
import dev.relocator.core.model.VolumeState;
import dev.relocator.core.ports.AgentCommands;
import dev.relocator.core.ports.Clock;
import dev.relocator.core.ports.ClusterUnavailableException;
import dev.relocator.core.ports.ControllerLink;
import dev.relocator.core.ports.ExternalFence;
import dev.relocator.core.ports.LeaseFile;
import dev.relocator.core.ports.LocalDocker;
import dev.relocator.core.ports.PeerLink;
import dev.relocator.core.ports.StaleVersionException;
import dev.relocator.core.ports.SwarmCluster;
import dev.relocator.core.protocol.HeartbeatAck;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A deterministic simulated Swarm: five nodes (three managers, two workers) with dockerd,
 * containers, a mount table and per-node drifting monotonic clocks; a shared store with an
 * append-only write log per volume; Raft leadership among the managers; a network with
 * symmetric and asymmetric partitions, delay and loss; crashes, restarts, freezes, process
 * pauses, dockerd restarts and controller failover. It runs the real {@link Agent} and
 * {@link Controller} through their ports. One seed fixes everything: the scenario, the faults,
 * every delay; events at equal times run in insertion order.
 *
 * <p>The checker runs inline, after every step that could break an invariant (a container
 * start, a write, a service update), so the first violation stops the run with its trace.
 */
final class Sim {

    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;
    static final Instant WALL0 = Instant.parse("2026-01-01T00:00:00Z");

    // The fault-model knobs shared by all seeds.
    static final long ELECTION_TIMEOUT = 3 * S;
    static final long SWARM_DOWN_AFTER = 10 * S;
    static final long MAX_DELAY = 20 * MS;
    static final long START_BUDGET = 1500 * MS;
    /** The longest a target's prepare (helper containers, off the agent's loop) takes here; part of every move. */
    static final long PREPARE_MAX = 1500 * MS;
    static final long LEADERSHIP_PERIOD = 500 * MS;
    static final long FENCE_HOOK_MAX = 2 * S;
    /** Swarm's updater writes UpdateStatus (and reconciles tasks) after each update: own version bumps within this. */
    static final long SWARM_BUMP_MAX = 400 * MS;
    /** Mean interval of Swarm's unprompted version bumps of a service (task reconciliation). */
    static final long SWARM_BUMP_MEAN = S;
    static final boolean DEBUG = Boolean.getBoolean("sim.debug");
    /** The lease extension a stopping agent asks for in HANDOVER seeds (the product's default is longer: a JVM start). */
    static final long HANDOVER_EXT = 8 * S;
    /** How long a stopping agent waits for the grant (the product's relocator.agent.handover-timeout). */
    static final long HANDOVER_TIMEOUT = 5 * S;

    final long seed;
    final Variant variant;
    final SplittableRandom rnd;
    final Scenario scenario;
    final LeaseTiming timing = LeaseTiming.DEFAULT;
    final ControllerConfig ccfg = ControllerConfig.DEFAULT;
    final long endAt;

    long now;
    long steps;
    private long evSeq;
    private final PriorityQueue<Ev> queue = new PriorityQueue<>();

    final List<Node> nodes = new ArrayList<>();
    final Map<String, Node> byId = new HashMap<>();
    final Map<String, Svc> services = new TreeMap<>();
    final List<VolumeSpec> specs = new ArrayList<>();
    Node leader;
    private long leaderTroubleSince = -1;
    private long leaderlessSince;
    boolean[][] cut;
    boolean[][] appBlock;
    double loss;
    /** The fence hook applies to every node (RelocatorConfig); strictness is {@code spec.externalFence}. */
    final boolean hookConfigured;
    /** Per node: the hook's state (absent = IDLE). One power-off serves every volume on the node. */
    private final Map<String, ExternalFence.State> hookState = new HashMap<>();
    private final Map<String, Integer> hookGen = new HashMap<>();
    /** Cluster-wide maintenance mode as the user set it; every controller is told at once. */
    boolean maintenanceOn;
    final Map<String, NodeInfo.Availability> availability = new HashMap<>();
    /** Per node: zone label (OPS seeds place by zone). */
    final Map<String, String> zone = new HashMap<>();
    /** Per node: the hand-over record in Swarm's (Raft-replicated) node spec, in ms; survives controller failover. */
    final Map<String, Long> handoverRecord = new TreeMap<>();
    long handovers;

    // checker and trace
    String violation;
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    long traceHash = 0xcbf29ce484222325L;
    long traceLines;
    private final Map<String, Long> maxWrittenEpoch = new HashMap<>();
    private final Map<String, Map<Long, String>> epochNode = new HashMap<>();
    long writes;
    long staleRejected;
    long swarmBumps;
    long inFlightStarts;
    long deposedRejected;
    long relocations;
    long mirrorRefusals;
    long plannedMoves;
    long moveRefusals;
    long holds;
    long hookRequests;
    long hookFailures;
    long fenceResets;
    long downtimeCount;
    long downtimeSumMs;
    long downtimeMaxMs;
    long ops;
    private int containerSeq;
    private int taskSeq;

    Sim(long seed, Variant variant) {
        this(seed, variant, null, null);
    }

    Sim(long seed, Variant variant, Scenario forced, Boolean externalFence) {
        this.seed = seed;
        this.variant = variant;
        this.rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 17);
        int pick = rnd.nextInt(100);
        Scenario s = pick < 26 ? Scenario.CHAOS : pick < 46 ? Scenario.SINGLE_FAULT : pick < 62 ? Scenario.BLIP
                : pick < 77 ? Scenario.OUTAGE : pick < 84 ? Scenario.FREEZE : Scenario.OPS;
        this.scenario = forced != null ? forced : s;
        boolean ext = externalFence != null ? externalFence : (scenario == Scenario.FREEZE || rnd.nextInt(4) == 0);
        // A hook without strictness (lease fallback when it fails) in a third of the other seeds.
        this.hookConfigured = ext || (scenario != Scenario.FREEZE && rnd.nextInt(3) == 0);
        this.endAt = switch (scenario) {
            case CHAOS -> 34 * S;
            case SINGLE_FAULT -> 22 * S;
            case BLIP -> 16 * S;
            case OUTAGE -> 30 * S;
            case FREEZE -> 26 * S;
            case OPS -> 44 * S;
            case HANDOVER -> 40 * S;
        };
        loss = scenario == Scenario.CHAOS ? 0.005 : 0.0;
        build(ext);
    }

    // ------------------------------------------------------------------ world

    final class Node {
        final int idx;
        final String id;
        final boolean manager;
        boolean up = true;
        int bootGen;
        long frozenUntil;
        double drift;
        long offset;
        Agent agent;
        int agentGen;
        long agentPausedUntil;
        Controller controller;
        int ctrlGen;
        LeaseFile.Content leaseContent;
        final List<Container> containers = new ArrayList<>();
        boolean dockerUp = true;
        int dockerGen;
        final Set<String> volumes = new HashSet<>();
        long lastSeenByLeader;
        Set<String> peerIds;

        Node(int idx, String id, boolean manager) {
            this.idx = idx;
            this.id = id;
            this.manager = manager;
        }

        long local() {
            return offset + Math.round(now * (1 + drift));
        }

        long real(long localNanos) {
            return Math.max(1, Math.round(localNanos / (1 + drift)));
        }

        boolean running() {
            return up && now >= frozenUntil;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    static final int RUNNING = 0;
    static final int STOPPING = 1;
    static final int DEAD = 2;

    final class Container {
        final String id;
        final String volume;
        final long epoch;
        final Node node;
        final Task task;
        int state = RUNNING;

        Container(String id, String volume, long epoch, Node node, Task task) {
            this.id = id;
            this.volume = volume;
            this.epoch = epoch;
            this.node = node;
            this.task = task;
        }
    }

    final class Svc {
        final String name;
        final String volume;
        long version = 1;
        /** Swarm's own version bumps scheduled after an update and not yet applied. */
        int pendingBumps;
        /** The last grant a CAS revoked (node, epoch) and when: a start Swarm sent before that is in flight, not new. */
        String revokedNode;
        long revokedEpoch;
        long revokedAt = -1;
        Map<String, String> labels = new TreeMap<>();
        List<String> constraints = List.of();
        int replicas;
        final List<Task> tasks = new ArrayList<>();
        long lastTaskEnd = -S;

        Svc(String name, String volume) {
            this.name = name;
            this.volume = volume;
        }

        Task current() {
            for (int i = tasks.size() - 1; i >= 0; i--) {
                Task t = tasks.get(i);
                if (!t.shutdown && live(t.state)) {
                    return t;
                }
            }
            return null;
        }
    }

    static boolean live(TaskView.TaskState s) {
        return s == TaskView.TaskState.PENDING || s == TaskView.TaskState.ASSIGNED
                || s == TaskView.TaskState.STARTING || s == TaskView.TaskState.RUNNING;
    }

    final class Task {
        final String id;
        final String node;
        final long epoch;
        final long created;
        TaskView.TaskState state = TaskView.TaskState.ASSIGNED;
        TaskView.TaskState nodeState = TaskView.TaskState.ASSIGNED;
        String error = "";
        String nodeError = "";
        Instant ts;
        /** When Swarm last sent this task's start to its node. */
        long dispatchedAt;
        boolean shutdown;
        Container container;

        Task(String id, String node, long epoch) {
            this.id = id;
            this.node = node;
            this.epoch = epoch;
            this.created = now;
            this.ts = wall();
        }
    }

    Instant wall() {
        return WALL0.plusNanos(now);
    }

    private void build(boolean externalFence) {
        String[] ids = {"m1", "m2", "m3", "w1", "w2"};
        int n = ids.length;
        cut = new boolean[n][n];
        appBlock = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            Node node = new Node(i, ids[i], i < 3);
            node.drift = (rnd.nextDouble() * 2 - 1) * timing.maxDriftRate();
            node.offset = rnd.nextLong(1_000 * S);
            availability.put(node.id, NodeInfo.Availability.ACTIVE);
            zone.put(node.id, i == 2 || i == 4 ? "b" : "a");
            nodes.add(node);
            byId.put(node.id, node);
        }
        for (Node node : nodes) {
            Set<String> p = new LinkedHashSet<>();
            for (Node o : nodes) {
                if (o != node) {
                    p.add(o.id);
                }
            }
            node.peerIds = java.util.Collections.unmodifiableSet(p);
        }
        leader = nodes.get(rnd.nextInt(3));
        int volumes = scenario == Scenario.CHAOS || scenario == Scenario.OUTAGE || scenario == Scenario.OPS ? 2 : 1;
        List<String> placement = scenario == Scenario.OPS && rnd.nextBoolean() ? List.of("node.labels.zone==a") : List.of();
        for (int v = 0; v < volumes; v++) {
            String vol = "vol" + v;
            VolumeSpec.TaskFailurePolicy policy = rnd.nextBoolean() ? VolumeSpec.TaskFailurePolicy.RELOCATE
                    : VolumeSpec.TaskFailurePolicy.RESTART;
            specs.add(new VolumeSpec("rv" + v, "svc" + v, vol, "local",
                    Map.of("type", "none", "o", "bind", "device", "/shared/" + vol), "/data",
                    new VolumeSpec.Ownership(999, 999, "0700"), VolumeSpec.MountOptions.SAFE,
                    timing.lease(), externalFence, placement, policy));
            services.put("svc" + v, new Svc("svc" + v, vol));
        }
        for (Node node : nodes) {
            boot(node);
        }
        if ((scenario == Scenario.CHAOS || scenario == Scenario.SINGLE_FAULT) && rnd.nextInt(4) == 0) {
            adoptable(nodes.get(rnd.nextInt(nodes.size())), services.get("svc0"));
        }
        worldLoop(100 * MS, this::raftTick);
        worldLoop(200 * MS, this::orchestrate);
        worldLoop(100 * MS, this::swarmDrift);
        worldLoop(100 * MS, this::checkProgress);
        worldLoop(500 * MS, this::specSource);
        scheduleScenario();
    }

    /** A workload that already runs when the operator starts: the controller must adopt it, not place a second one. */
    private void adoptable(Node n, Svc s) {
        s.replicas = 1;
        Task t = new Task("t" + (++taskSeq), n.id, 0);
        t.state = TaskView.TaskState.RUNNING;
        t.nodeState = TaskView.TaskState.RUNNING;
        s.tasks.add(t);
        n.volumes.add(s.volume);
        Container c = new Container("c" + (++containerSeq), s.volume, 0, n, t);
        n.containers.add(c);
        t.container = c;
        note("pre-existing " + c.id + " " + s.volume + " on " + n);
        writerLoop(c, n.bootGen);
    }

    private void boot(Node n) {
        n.up = true;
        n.dockerUp = true;
        n.frozenUntil = 0;
        startAgent(n);
        if (n.manager) {
            startController(n);
        }
        int boot = n.bootGen;
        nodeLoop(n, 500 * MS, () -> dispatcherSync(n), boot);
    }

    void startAgent(Node n) {
        n.agentGen++;
        int gen = n.agentGen;
        Clock clk = clockOf(n);
        ControllerLink link = hb -> {
            for (Node m : nodes) {
                if (m.manager) {
                    send(n, m, K_CTRL, () -> {
                        Optional<HeartbeatAck> ack = m.controller.onHeartbeat(hb);
                        ack.ifPresent(a -> send(m, n, K_AGENT, () -> n.agent.onAck(a)));
                    });
                }
            }
        };
        PeerLink peers = new PeerLink() {
            @Override
            public Set<String> peers() {
                return n.peerIds;
            }

            @Override
            public void send(String peer, dev.relocator.core.protocol.PeerMessage message) {
                Node to = byId.get(peer);
                Sim.this.send(n, to, K_AGENT, () -> to.agent.onPeerMessage(message));
            }
        };
        n.agent = new Agent(n.id, rnd.nextLong(), timing, ccfg.peerRule(), clk, link, peers, docker(n), leaseFile(n),
                events(n));
        at(now + rnd.nextLong(timing.tick().toNanos()) + 1, n, K_AGENT, gen, () -> agentLoop(n, gen));
    }

    private void agentLoop(Node n, int gen) {
        n.agent.tick();
        at(now + n.real(timing.tick().toNanos()), n, K_AGENT, gen, () -> agentLoop(n, gen));
    }

    void startController(Node m) {
        m.ctrlGen++;
        int gen = m.ctrlGen;
        String cid = m.id + "#" + m.bootGen + "." + gen;
        Clock clk = clockOf(m);
        SwarmCluster cluster = swarm(m);
        AgentCommands cmds = (node, command) -> {
            Node to = byId.get(node);
            send(m, to, K_AGENT, () -> to.agent.onCommand(command));
        };
        ExternalFence fence = new ExternalFence() {
            @Override
            public void request(String node, String volume) {
                State st = state(node, volume);
                if (st != State.IDLE && st != State.FAILED) {
                    return;
                }
                hookRequests++;
                hookState.put(node, State.REQUESTED);
                int g = hookGen.merge(node, 1, Integer::sum);
                // Outcomes: success (power-off), a hook error, or a timeout (the hook never answers in time).
                int outcome = rnd.nextInt(100);
                long delay = outcome < 70 ? FENCE_HOOK_MAX / 2 + rnd.nextLong(FENCE_HOOK_MAX / 2)
                        : outcome < 85 ? 100 * MS + rnd.nextLong(FENCE_HOOK_MAX / 2) : FENCE_HOOK_MAX;
                note("fence-hook requested for " + node + (outcome < 70 ? "" : outcome < 85 ? " (will fail)" : " (will time out)"));
                atWorld(now + delay, () -> {
                    if (!Integer.valueOf(g).equals(hookGen.get(node))) {
                        return;
                    }
                    Node x = byId.get(node);
                    if (outcome < 70) {
                        if (x.up) {
                            crash(x, "external fence: power off");
                        }
                        hookState.put(node, State.CONFIRMED);
                        // Someone powers the node back on later in some runs: the controller must reset the fence.
                        if (rnd.nextInt(3) == 0) {
                            atWorld(now + 3 * S + rnd.nextLong(6 * S), () -> powerOn(x));
                        }
                    } else {
                        hookFailures++;
                        note("fence-hook for " + node + (outcome < 85 ? " failed" : " timed out"));
                        hookState.put(node, State.FAILED);
                    }
                });
            }

            @Override
            public State state(String node, String volume) {
                return !hookConfigured ? State.NOT_CONFIGURED : hookState.getOrDefault(node, State.IDLE);
            }

            @Override
            public void reset(String node) {
                if (hookState.get(node) == State.CONFIRMED) {
                    fenceResets++;
                    note("fence-hook reset for " + node);
                    hookState.remove(node);
                }
            }
        };
        Controller c = variant == Variant.CORRECT
                ? new Controller(cid, ccfg, clk, cluster, cmds, fence, events(m))
                : new BrokenController(variant, cid, ccfg, clk, cluster, cmds, fence, events(m));
        specs.forEach(c::register);
        c.setMaintenance(maintenanceOn, maintenanceOn ? "sim" : "");
        m.controller = c;
        at(now + 1, m, K_CTRL, gen, () -> leadershipLoop(m, gen));
        for (VolumeSpec spec : specs) {
            at(now + 2, m, K_CTRL, gen, () -> reconcileLoop(m, gen, spec.name()));
        }
    }

    private void leadershipLoop(Node m, int gen) {
        m.controller.leadershipTick();
        at(now + m.real(LEADERSHIP_PERIOD), m, K_CTRL, gen, () -> leadershipLoop(m, gen));
    }

    private void reconcileLoop(Node m, int gen, String spec) {
        ReconcileResult r = m.controller.reconcile(spec);
        long d = Math.max(MS, r.requeueAfter().toNanos());
        at(now + m.real(d), m, K_CTRL, gen, () -> reconcileLoop(m, gen, spec));
    }

    private Clock clockOf(Node n) {
        return new Clock() {
            @Override
            public long monotonicNanos() {
                return n.local();
            }

            @Override
            public Instant wallTime() {
                return wall();
            }
        };
    }

    private EventSink events(Node n) {
        return change -> {
            switch (change.type()) {
                case StateChange.Types.PHASE_CHANGED -> {
                    note(n.id + " phase " + change.subject() + " -> " + change.phase() + " e" + change.epoch() + " "
                            + new TreeMap<>(change.data()));
                    if ("Starting".equals(change.phase())) {
                        relocations++;
                    }
                    Object dt = change.data().get("downtimeMillis");
                    if (dt instanceof Long ms) {
                        downtimeCount++;
                        downtimeSumMs += ms;
                        downtimeMaxMs = Math.max(downtimeMaxMs, ms);
                    }
                    Object why = change.data().get("reason");
                    if ("Fencing".equals(change.phase()) && (VolumeState.PLANNED_MOVE.equals(why)
                            || VolumeState.NODE_DRAIN.equals(why))) {
                        plannedMoves++;
                    }
                }
                case StateChange.Types.LEASE_LOST, StateChange.Types.FENCE_EXECUTED ->
                        note(n.id + " " + change.type().substring("dev.relocator.".length()) + " " + change.subject()
                                + " " + change.phase());
                case StateChange.Types.ERROR -> {
                    if ("PeerMajorityUnproven".equals(change.phase())) {
                        mirrorRefusals++;
                        note(n.id + " mirror refuses lease-only fencing of " + change.subject());
                    } else if ("TargetUnavailable".equals(change.phase())
                            || ("NoEligibleNode".equals(change.phase()) && String.valueOf(change.data().get("detail"))
                            .startsWith("drain"))) {
                        moveRefusals++;
                        note(n.id + " " + change.phase() + " " + change.subject());
                    } else if ("Paused".equals(change.phase()) || "MaintenanceMode".equals(change.phase())) {
                        holds++;
                        note(n.id + " holds " + change.subject() + " (" + change.phase() + ")");
                    }
                }
                default -> {
                }
            }
        };
    }

    // ------------------------------------------------------------------ event loop

    static final int K_WORLD = 0;
    static final int K_NODE = 1;
    static final int K_AGENT = 2;
    static final int K_CTRL = 3;

    private static final class Ev implements Comparable<Ev> {
        final long t;
        final long seq;
        final Node node;
        final int kind;
        final int gen;
        final int boot;
        final Runnable r;

        Ev(long t, long seq, Node node, int kind, int gen, int boot, Runnable r) {
            this.t = t;
            this.seq = seq;
            this.node = node;
            this.kind = kind;
            this.gen = gen;
            this.boot = boot;
            this.r = r;
        }

        @Override
        public int compareTo(Ev o) {
            int c = Long.compare(t, o.t);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    void atWorld(long t, Runnable r) {
        queue.add(new Ev(t, evSeq++, null, K_WORLD, 0, 0, r));
    }

    private void at(long t, Node n, int kind, int gen, Runnable r) {
        queue.add(new Ev(t, evSeq++, n, kind, gen, n.bootGen, r));
    }

    private void worldLoop(long period, Runnable r) {
        atWorld(now + period, () -> {
            r.run();
            worldLoop(period, r);
        });
    }

    private void nodeLoop(Node n, long period, Runnable r, int boot) {
        at(now + n.real(period), n, K_NODE, 0, () -> {
            r.run();
            nodeLoop(n, period, r, boot);
        });
    }

    /** Runs until the end of the scenario or the first violation. */
    Sim run() {
        while (!queue.isEmpty() && violation == null) {
            Ev e = queue.poll();
            if (e.t > endAt) {
                break;
            }
            now = e.t;
            Node n = e.node;
            if (n != null) {
                if (!n.up || e.boot != n.bootGen) {
                    continue;
                }
                if (now < n.frozenUntil) {
                    queue.add(new Ev(n.frozenUntil, evSeq++, n, e.kind, e.gen, e.boot, e.r));
                    continue;
                }
                if (e.kind == K_AGENT) {
                    if (e.gen != n.agentGen && e.gen != 0 || n.agent == null) {
                        continue;
                    }
                    if (now < n.agentPausedUntil) {
                        queue.add(new Ev(n.agentPausedUntil, evSeq++, n, e.kind, e.gen, e.boot, e.r));
                        continue;
                    }
                }
                if (e.kind == K_CTRL && ((e.gen != n.ctrlGen && e.gen != 0) || n.controller == null)) {
                    continue;
                }
            }
            steps++;
            e.r.run();
        }
        return this;
    }

    // ------------------------------------------------------------------ network

    boolean linkUp(Node a, Node b) {
        return a == b || (!cut[a.idx][b.idx] && !appBlock[a.idx][b.idx]);
    }

    boolean raftUp(Node a, Node b) {
        return a == b || (!cut[a.idx][b.idx] && !cut[b.idx][a.idx]);
    }

    /** App traffic from a to b; delivered as a node event of kind {@code kind} on b (gen 0: any process generation). */
    private void send(Node from, Node to, int kind, Runnable r) {
        if (from != to) {
            if (!linkUp(from, to) || rnd.nextDouble() < loss) {
                return;
            }
        }
        long d = from == to ? 50_000 : MS + rnd.nextLong(MAX_DELAY - MS);
        at(now + d, to, kind, 0, () -> {
            if (linkUp(from, to)) {
                r.run();
            }
        });
    }

    // ------------------------------------------------------------------ swarm: raft, store, orchestrator

    boolean reachMajority(Node m) {
        if (!m.running() || !m.manager) {
            return false;
        }
        int c = 0;
        for (Node x : nodes) {
            if (x.manager && (x == m || (x.running() && raftUp(m, x)))) {
                c++;
            }
        }
        return c >= 2;
    }

    private void raftTick() {
        boolean ok = leader != null && reachMajority(leader);
        if (ok) {
            leaderTroubleSince = -1;
        } else if (leader != null) {
            if (leaderTroubleSince < 0) {
                leaderTroubleSince = now;
            }
            if (now - leaderTroubleSince >= ELECTION_TIMEOUT) {
                note("raft: leader " + leader + " deposed");
                leader = null;
                leaderlessSince = now;
                leaderTroubleSince = -1;
            }
        }
        if (leader == null && now - leaderlessSince >= ELECTION_TIMEOUT) {
            List<Node> cands = new ArrayList<>();
            for (Node m : nodes) {
                if (reachMajority(m)) {
                    cands.add(m);
                }
            }
            if (!cands.isEmpty()) {
                leader = cands.get(rnd.nextInt(cands.size()));
                note("raft: leader " + leader + " elected");
            }
        }
        if (leader != null && reachMajority(leader)) {
            for (Node n : nodes) {
                if (n.running() && linkUp(n, leader) && linkUp(leader, n)) {
                    n.lastSeenByLeader = now;
                }
            }
        }
    }

    private boolean quorumView(Node m) {
        return leader != null && reachMajority(leader) && m.running() && raftUp(m, leader);
    }

    private SwarmCluster swarm(Node m) {
        return new SwarmCluster() {
            @Override
            public List<NodeInfo> nodes() {
                if (!quorumView(m)) {
                    throw new ClusterUnavailableException("no quorum view from " + m);
                }
                List<NodeInfo> out = new ArrayList<>();
                for (Node n : Sim.this.nodes) {
                    NodeInfo.SwarmState st = now - n.lastSeenByLeader > SWARM_DOWN_AFTER
                            ? NodeInfo.SwarmState.DOWN : NodeInfo.SwarmState.READY;
                    Map<String, String> labels = new TreeMap<>(Map.of("zone", zone.get(n.id)));
                    Long h = handoverRecord.get(n.id);
                    if (h != null) {
                        labels.put(Controller.HANDOVER_LABEL, Long.toString(h));
                    }
                    out.add(new NodeInfo(n.id, n.id, n.manager, availability.get(n.id), st, labels, n == leader));
                }
                return out;
            }

            @Override
            public Optional<ServiceView> service(String name) {
                if (!quorumView(m)) {
                    throw new ClusterUnavailableException("no quorum view from " + m);
                }
                Svc s = services.get(name);
                if (s == null) {
                    return Optional.empty();
                }
                List<TaskView> tasks = new ArrayList<>();
                for (Task t : s.tasks) {
                    tasks.add(new TaskView(t.id, t.node, t.state, t.error, t.ts));
                }
                return Optional.of(new ServiceView(s.name, s.name, s.version, s.labels, s.constraints, s.replicas, tasks));
            }

            @Override
            public long update(String name, long expectedVersion, ServiceUpdate u) throws StaleVersionException {
                if (leader != m || !reachMajority(m)) {
                    deposedRejected++;
                    throw new ClusterUnavailableException(m + " is not a leader with quorum");
                }
                Svc s = services.get(name);
                if (scenario == Scenario.CHAOS && rnd.nextInt(30) == 0) {
                    // A concurrent writer (a user's `docker service update`) landed between the read and this write.
                    s.version++;
                    s.labels = new TreeMap<>(s.labels);
                    s.labels.put("user/touched", Long.toString(s.version));
                    note("concurrent user update of " + name + " -> v" + s.version);
                }
                if (s.pendingBumps > 0 && rnd.nextInt(4) == 0) {
                    // Swarm's updater committed its UpdateStatus write between this controller's read and its CAS.
                    s.pendingBumps--;
                    swarmBump(s, "updater (before CAS)");
                }
                if (s.version != expectedVersion) {
                    staleRejected++;
                    throw new StaleVersionException(name, expectedVersion, s.version);
                }
                checkS3(s, u);
                checkHoldAndMove(s, u);
                noteRevocation(s, u);
                Map<String, String> labels = new TreeMap<>(s.labels);
                labels.keySet().removeIf(k -> k.startsWith(Labels.PREFIX));
                labels.putAll(u.labels());
                s.labels = labels;
                s.constraints = u.constraints();
                s.replicas = u.replicas();
                s.version++;
                long v = s.version;
                scheduleSwarmBumps(s);
                return v;
            }

            @Override
            public void recordHandover(String node, long extensionMillis) {
                // a node-spec write: committed only through a leader with a quorum (like the service CAS)
                if (leader != m || !reachMajority(m)) {
                    throw new ClusterUnavailableException(m + " is not a leader with quorum");
                }
                if (extensionMillis > 0) {
                    handoverRecord.put(node, extensionMillis);
                } else {
                    handoverRecord.remove(node);
                }
                note("swarm: hand-over record of " + node + " = " + extensionMillis + " ms (by " + m + ")");
            }

            @Override
            public boolean confirmLeadership() {
                if (leader != m) {
                    return false;
                }
                if (!reachMajority(m)) {
                    throw new ClusterUnavailableException("no quorum");
                }
                return true;
            }
        };
    }

    /**
     * On a real Swarm, the service's {@code Version.Index} is not the controller's: after every
     * update the updater writes {@code UpdateStatus} (updating, then completed) and task
     * reconciliation touches the service, each a version bump. One or two follow every CAS, at
     * short random delays, applied by the leader's store (lost while there is no leader).
     */
    private void scheduleSwarmBumps(Svc s) {
        int n = 1 + rnd.nextInt(2);
        for (int i = 0; i < n; i++) {
            s.pendingBumps++;
            atWorld(now + MS + rnd.nextLong(SWARM_BUMP_MAX), () -> {
                if (s.pendingBumps > 0) {
                    s.pendingBumps--;
                    swarmBump(s, "updater");
                }
            });
        }
    }

    /** Unprompted bumps (task reconciliation), about one per {@link #SWARM_BUMP_MEAN} per service. */
    private void swarmDrift() {
        for (Svc s : services.values()) {
            if (rnd.nextLong(SWARM_BUMP_MEAN) < 100 * MS) {
                swarmBump(s, "reconciliation");
            }
        }
    }

    private void swarmBump(Svc s, String by) {
        if (leader == null || !reachMajority(leader)) {
            return;
        }
        s.version++;
        swarmBumps++;
        if (DEBUG) {
            note("swarm " + by + " bumps " + s.name + " -> v" + s.version);
        }
    }

    private void noteRevocation(Svc s, ServiceUpdate u) {
        String phase = s.labels.get(Labels.PHASE);
        if ("Attached".equals(phase) || "Starting".equals(phase)) {
            String node = s.labels.get(Labels.NODE);
            String epoch = s.labels.get(Labels.EPOCH);
            String nextPhase = u.labels().get(Labels.PHASE);
            boolean still = ("Attached".equals(nextPhase) || "Starting".equals(nextPhase))
                    && node.equals(u.labels().get(Labels.NODE)) && epoch.equals(u.labels().get(Labels.EPOCH));
            if (!still) {
                s.revokedNode = node;
                s.revokedEpoch = Long.parseLong(epoch);
                s.revokedAt = now;
            }
        }
    }

    private static String pinOf(List<String> constraints) {
        for (String c : constraints) {
            if (Labels.isPin(c)) {
                return c.substring(Labels.PIN_PREFIX.length());
            }
        }
        return null;
    }

    /** Swarm's orchestrator, on the leader: one task per service on the pinned node; start-new-without-waiting. */
    private void orchestrate() {
        if (leader == null || !reachMajority(leader)) {
            return;
        }
        for (Svc s : services.values()) {
            String pin = pinOf(s.constraints);
            Task cur = s.current();
            if (cur != null && cur.state == TaskView.TaskState.ASSIGNED && cur.nodeState == TaskView.TaskState.ASSIGNED
                    && now - cur.created > S && linkUp(leader, byId.get(cur.node))) {
                // the assignment was lost on the way: the dispatcher hands it out again (idempotent on the node)
                Node target = byId.get(cur.node);
                Task t = cur;
                t.dispatchedAt = now;
                send(leader, target, K_NODE, () -> startContainer(target, s, t));
            }
            boolean drained = pin != null && availability.get(pin) == NodeInfo.Availability.DRAIN;
            if (cur != null && (s.replicas == 0 || pin == null || !cur.node.equals(pin) || drained)) {
                shutdown(cur);
                cur = null;
            }
            // A drained node gets no new task, and the pin allows no other node: the task stays pending.
            if (s.replicas == 1 && cur == null && pin != null && !drained && now - s.lastTaskEnd >= 200 * MS) {
                Node target = byId.get(pin);
                if (now - target.lastSeenByLeader <= SWARM_DOWN_AFTER && linkUp(leader, target)) {
                    long epoch = Long.parseLong(s.labels.getOrDefault(Labels.EPOCH, "0"));
                    Task t = new Task("t" + (++taskSeq), pin, epoch);
                    s.tasks.add(t);
                    if (s.tasks.size() > 12) {
                        s.tasks.remove(0);
                    }
                    t.dispatchedAt = now;
                    send(leader, target, K_NODE, () -> startContainer(target, s, t));
                }
            }
        }
    }

    private void shutdown(Task t) {
        t.shutdown = true;
        Node n = byId.get(t.node);
        if (leader != null) {
            send(leader, n, K_NODE, () -> {
                if (t.container != null && t.container.state == RUNNING) {
                    kill(t.container, "swarm shutdown");
                }
                if (t.container == null) {
                    t.nodeState = TaskView.TaskState.SHUTDOWN;
                }
            });
        }
    }

    /** The node's dispatcher session: task states reach the store only while the node reaches the leader. */
    private void dispatcherSync(Node n) {
        if (leader == null || !reachMajority(leader) || !linkUp(n, leader)) {
            return;
        }
        for (Svc s : services.values()) {
            for (Task t : s.tasks) {
                if (t.node.equals(n.id) && t.state != t.nodeState && live(t.state)) {
                    t.state = t.nodeState;
                    t.error = t.nodeError;
                    t.ts = wall();
                    if (!live(t.state)) {
                        s.lastTaskEnd = now;
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ node: dockerd, containers, wrapper

    private boolean wrapperAllows(Node n, String volume, long epoch) {
        LeaseFile.Content c = n.leaseContent;
        if (c == null) {
            return false;
        }
        Long e = c.allowed().get(volume);
        return e != null && e == epoch && n.local() < timing.agentFencePoint(c.deadlineNanos());
    }

    private void startContainer(Node n, Svc s, Task t) {
        if (t.shutdown || t.nodeState != TaskView.TaskState.ASSIGNED) {
            return;
        }
        boolean locked = false;
        for (Container o : n.containers) {
            locked |= o.volume.equals(s.volume) && o.state != DEAD;
        }
        // The fencing wrapper holds an exclusive flock per volume on the node: a second task of the same
        // volume on the same node (Swarm replacing a task it lost track of) waits for the first to be gone.
        String why = !n.dockerUp ? "dockerd unavailable"
                : locked ? "volume " + s.volume + " in use (wrapper lock held)"
                : !n.volumes.contains(s.volume) ? "volume " + s.volume + " not found"
                : !wrapperAllows(n, s.volume, t.epoch) ? "fencing wrapper: lease stale or volume not granted" : null;
        if (why != null) {
            t.nodeState = TaskView.TaskState.FAILED;
            t.nodeError = why;
            if (DEBUG) {
                note("task " + t.id + " e" + t.epoch + " on " + n + " fails: " + why);
            }
            return;
        }
        Container c = new Container("c" + (++containerSeq), s.volume, t.epoch, n, t);
        n.containers.add(c);
        t.container = c;
        t.nodeState = TaskView.TaskState.RUNNING;
        note("start " + c.id + " " + s.volume + " e" + t.epoch + " on " + n);
        checkStart(c, s);
        int boot = n.bootGen;
        writerLoop(c, boot);
        wrapperLoop(c);
    }

    private void writerLoop(Container c, int boot) {
        at(now + 250 * MS, c.node, K_NODE, 0, () -> {
            if (c.state == DEAD) {
                return;
            }
            write(c);
            writerLoop(c, boot);
        });
    }

    private void wrapperLoop(Container c) {
        at(now + c.node.real(200 * MS), c.node, K_NODE, 0, () -> {
            if (c.state != RUNNING) {
                return;
            }
            if (!wrapperAllows(c.node, c.volume, c.epoch)) {
                kill(c, "fencing wrapper");
            }
            wrapperLoop(c);
        });
    }

    void kill(Container c, String why) {
        if (c.state != RUNNING) {
            return;
        }
        c.state = STOPPING;
        note("kill " + c.id + " on " + c.node + " (" + why + ")");
        at(now + 10 * MS + rnd.nextLong(140 * MS), c.node, K_NODE, 0, () -> die(c, false));
    }

    private void die(Container c, boolean crashed) {
        if (c.state == DEAD) {
            return;
        }
        c.state = DEAD;
        c.node.containers.remove(c);
        if (c.task != null) {
            c.task.nodeState = c.task.shutdown ? TaskView.TaskState.SHUTDOWN : TaskView.TaskState.FAILED;
            c.task.nodeError = crashed ? "node or dockerd died" : "killed";
        }
    }

    private LocalDocker docker(Node n) {
        return new LocalDocker() {
            private void up() {
                if (!n.dockerUp) {
                    throw new DockerUnavailableException("dockerd on " + n + " is restarting");
                }
            }

            @Override
            public List<String> containersMounting(String volume) {
                up();
                List<String> ids = new ArrayList<>();
                for (Container c : n.containers) {
                    if (c.volume.equals(volume) && c.state != DEAD) {
                        ids.add(c.id);
                    }
                }
                return ids;
            }

            @Override
            public void kill(String containerId) {
                up();
                for (Container c : List.copyOf(n.containers)) {
                    if (c.id.equals(containerId)) {
                        Sim.this.kill(c, "agent fence");
                    }
                }
            }

            @Override
            public boolean volumePresent(String volume) {
                up();
                return n.volumes.contains(volume);
            }

            @Override
            public void removeVolumeReference(String volume) {
                up();
                n.volumes.remove(volume);
            }

            @Override
            public void prepare(VolumeSpec spec) {
                up();
                n.volumes.add(spec.volumeName());
            }

            @Override
            public boolean verify(VolumeSpec spec) {
                up();
                return scenario != Scenario.CHAOS || rnd.nextInt(20) != 0;
            }

            /** Prepares run off the agent's loop, as in the adapter: the reference at once, the verdict 0-1.5 s later. */
            private final Map<String, Object[]> prepares = new HashMap<>();

            @Override
            public Optional<Boolean> prepareAndVerify(VolumeSpec spec) {
                up();
                Object[] job = prepares.get(spec.volumeName());
                if (job == null || !job[0].equals(spec)) {
                    n.volumes.add(spec.volumeName());
                    prepares.put(spec.volumeName(), new Object[]{spec, now + rnd.nextLong(PREPARE_MAX)});
                    return Optional.empty();
                }
                if (now < (long) job[1]) {
                    return Optional.empty();
                }
                prepares.remove(spec.volumeName());
                prepare(spec);
                return Optional.of(verify(spec));
            }

            /** Reference removals run off the agent's loop too: the reference goes 0-500 ms after the first call. */
            private final Map<String, Long> removals = new HashMap<>();

            @Override
            public boolean removeReference(String volume, boolean stale) {
                up();
                Long at = removals.get(volume);
                if (at == null) {
                    removals.put(volume, now + rnd.nextLong(500 * MS));
                    return false;
                }
                if (now < at) {
                    return false;
                }
                removals.remove(volume);
                removeVolumeReference(volume);
                return true;
            }
        };
    }

    private LeaseFile leaseFile(Node n) {
        return new LeaseFile() {
            @Override
            public void write(Content content, long nowNanos) {
                if (DEBUG) {
                    note("leasefile " + n + " deadline in " + (content.deadlineNanos() - nowNanos) / MS + " ms allowed "
                            + content.allowed());
                }
                n.leaseContent = content;
            }

            @Override
            public Optional<Content> read(long nowNanos) {
                return Optional.ofNullable(n.leaseContent);
            }
        };
    }

    // ------------------------------------------------------------------ faults

    void crash(Node n, String why) {
        if (!n.up) {
            return;
        }
        note("crash " + n + " (" + why + ")");
        n.up = false;
        n.bootGen++;
        for (Container c : List.copyOf(n.containers)) {
            die(c, true);
        }
        n.agent = null;
        n.controller = null;
        // A reboot resets CLOCK_MONOTONIC: the lease file's deadline means nothing afterwards.
        n.leaseContent = null;
    }

    void restart(Node n) {
        if (n.up || hookState.get(n.id) == ExternalFence.State.CONFIRMED) {
            return;
        }
        note("restart " + n);
        n.offset = rnd.nextLong(1_000 * S) - Math.round(now * (1 + n.drift));
        boot(n);
    }

    /** Someone powers a fenced node back on: it boots with no lease; its heartbeats make the controller reset the fence. */
    void powerOn(Node n) {
        if (n.up) {
            return;
        }
        note("power on " + n);
        n.offset = rnd.nextLong(1_000 * S) - Math.round(now * (1 + n.drift));
        boot(n);
    }

    void partition(Set<Node> side, boolean on) {
        for (Node a : nodes) {
            for (Node b : nodes) {
                if (side.contains(a) != side.contains(b)) {
                    cut[a.idx][b.idx] = on;
                }
            }
        }
        note((on ? "partition " : "heal ") + side.stream().map(x -> x.id).sorted().toList());
    }

    void healAll() {
        for (boolean[] row : cut) {
            java.util.Arrays.fill(row, false);
        }
        for (boolean[] row : appBlock) {
            java.util.Arrays.fill(row, false);
        }
        note("heal all");
    }

    void freeze(Node n, long d) {
        note("freeze " + n + " for " + d / MS + " ms");
        n.frozenUntil = Math.max(n.frozenUntil, now + d);
    }

    void pauseAgent(Node n, long d) {
        note("pause agent on " + n + " for " + d / MS + " ms");
        n.agentPausedUntil = Math.max(n.agentPausedUntil, now + d);
    }

    void restartAgent(Node n) {
        if (!n.up) {
            return;
        }
        note("restart agent on " + n);
        startAgent(n);
    }

    void restartController(Node m) {
        if (!m.up || !m.manager) {
            return;
        }
        note("restart controller on " + m);
        startController(m);
    }

    void restartDockerd(Node n, long d) {
        if (!n.up) {
            return;
        }
        note("restart dockerd on " + n);
        for (Container c : List.copyOf(n.containers)) {
            die(c, true);
        }
        n.dockerUp = false;
        int gen = ++n.dockerGen;
        at(now + d, n, K_NODE, 0, () -> {
            if (n.dockerGen == gen) {
                n.dockerUp = true;
            }
        });
    }

    void crashWorkload(String volume) {
        for (Node n : nodes) {
            for (Container c : List.copyOf(n.containers)) {
                if (c.volume.equals(volume) && c.state == RUNNING) {
                    note("workload " + c.id + " exits on " + n);
                    die(c, false);
                }
            }
        }
    }

    // ------------------------------------------------------------------ observation helpers

    Svc svcOf(String volume) {
        for (Svc s : services.values()) {
            if (s.volume.equals(volume)) {
                return s;
            }
        }
        throw new IllegalArgumentException(volume);
    }

    Container runningContainer(String volume) {
        for (Node n : nodes) {
            for (Container c : n.containers) {
                if (c.volume.equals(volume) && c.state == RUNNING) {
                    return c;
                }
            }
        }
        return null;
    }

    String attachedNode(String volume) {
        Svc s = svcOf(volume);
        return "Attached".equals(s.labels.get(Labels.PHASE)) ? s.labels.get(Labels.NODE) : null;
    }

    long epochOf(String volume) {
        return Long.parseLong(svcOf(volume).labels.getOrDefault(Labels.EPOCH, "0"));
    }

    // ------------------------------------------------------------------ checker

    void violate(String what) {
        if (violation == null) {
            violation = what;
            note("VIOLATION " + what);
        }
    }

    /** S1 and S2 at every container start. */
    private void checkStart(Container c, Svc s) {
        int alive = 0;
        StringBuilder who = new StringBuilder();
        for (Node n : nodes) {
            for (Container o : n.containers) {
                if (o.volume.equals(c.volume) && o.state != DEAD) {
                    alive++;
                    who.append(' ').append(o.id).append("@").append(n.id).append("/e").append(o.epoch)
                            .append(o.state == STOPPING ? "(stopping)" : n.running() ? "" : "(frozen)");
                }
            }
        }
        if (alive > 1) {
            violate("S1 single writer: " + alive + " live containers of " + c.volume + ":" + who);
            return;
        }
        String phase = s.labels.get(Labels.PHASE);
        String node = s.labels.get(Labels.NODE);
        long epoch = Long.parseLong(s.labels.getOrDefault(Labels.EPOCH, "0"));
        FenceEvidence ev = FenceEvidence.fromLabel(s.labels.get(Labels.EVIDENCE));
        boolean granted = ("Attached".equals(phase) || "Starting".equals(phase)) && c.node.id.equals(node)
                && epoch == c.epoch;
        // Swarm sent this (re)start of the granted attachment before the revoking CAS: it was in flight, the
        // wrapper let it through because the agent had not heard of the revocation yet. Not a new writer:
        // the agent kills it when the revocation arrives, and S1 (at every start and write) catches any overlap.
        boolean inFlight = c.task != null && c.node.id.equals(s.revokedNode) && c.epoch == s.revokedEpoch
                && s.revokedAt >= 0 && c.task.dispatchedAt <= s.revokedAt;
        if (inFlight && !granted) {
            inFlightStarts++;
            note("in-flight restart " + c.id + " e" + c.epoch + " on " + c.node + " (sent before the revocation)");
            return;
        }
        boolean evidence = c.epoch == 1 ? ev != FenceEvidence.NONE
                : ev == FenceEvidence.AGENT_CONFIRMED || ev == FenceEvidence.LEASE_EXPIRED || ev == FenceEvidence.EXTERNAL_FENCE;
        if (!granted || !evidence) {
            violate("S2 kill before start: " + c.id + " e" + c.epoch + " started on " + c.node + " while the service says "
                    + phase + " " + node + " e" + epoch + " evidence " + ev);
        }
    }

    /** S3 at every successful service update: epochs grow by one, only at Starting, one node per epoch. */
    private void checkS3(Svc s, ServiceUpdate u) {
        long old = Long.parseLong(s.labels.getOrDefault(Labels.EPOCH, "0"));
        long next = Long.parseLong(u.labels().getOrDefault(Labels.EPOCH, "0"));
        String phase = u.labels().get(Labels.PHASE);
        boolean adoption = old == 0 && next == 1 && "Attached".equals(phase)
                && FenceEvidence.NEVER_ATTACHED.name().equals(u.labels().get(Labels.EVIDENCE));
        if (next < old || (next > old && (next != old + 1 || !("Starting".equals(phase) || adoption)))) {
            violate("S3 epochs: " + s.name + " epoch " + old + " -> " + next + " in phase " + phase);
        }
        if ("Starting".equals(phase) || "Attached".equals(phase)) {
            String node = u.labels().get(Labels.NODE);
            String prev = epochNode.computeIfAbsent(s.volume, k -> new HashMap<>()).putIfAbsent(next, node);
            if (prev != null && !prev.equals(node)) {
                violate("S3 epochs: " + s.volume + " epoch " + next + " attached to both " + prev + " and " + node);
            }
        }
    }

    /**
     * H1 holds: no relocation and no first placement starts while the volume is paused or the cluster
     * is in maintenance (a relocation in flight goes on). M1 planned moves: a planned move stops the
     * writer only towards a node that is in the swarm, active and inside the placement. Checked at the
     * CAS, against the specs and the maintenance flag every controller holds at that instant.
     */
    private void checkHoldAndMove(Svc s, ServiceUpdate u) {
        String oldPhase = s.labels.getOrDefault(Labels.PHASE, "");
        String next = u.labels().get(Labels.PHASE);
        VolumeSpec spec = specOf(s.volume);
        boolean starts = ("Attached".equals(oldPhase) && "Fencing".equals(next))
                || ((oldPhase.isEmpty() || "Pending".equals(oldPhase)) && !"Pending".equals(next));
        if (starts && (spec.paused() || maintenanceOn)) {
            violate("H1 hold: " + s.volume + " " + (oldPhase.isEmpty() ? "Pending" : oldPhase) + " -> " + next + " ("
                    + u.labels().get(Labels.REASON) + ") while " + (spec.paused() ? "paused" : "in maintenance"));
        }
        if ("Attached".equals(oldPhase) && "Fencing".equals(next)
                && VolumeState.PLANNED_MOVE.equals(u.labels().get(Labels.REASON))) {
            String to = u.labels().get(Labels.TARGET);
            Node t = byId.get(to);
            if (t == null || availability.get(to) != NodeInfo.Availability.ACTIVE
                    || (!spec.placement().isEmpty() && !"a".equals(zone.get(to)))) {
                violate("M1 planned move: " + s.volume + " fenced towards " + to + ", which cannot take it");
            }
        }
    }

    VolumeSpec specOf(String volume) {
        for (VolumeSpec v : specs) {
            if (v.volumeName().equals(volume)) {
                return v;
            }
        }
        throw new IllegalArgumentException(volume);
    }

    /** The shared storage's append-only log: a write with an older epoch after a newer one means two writers. */
    private void write(Container c) {
        writes++;
        long max = maxWrittenEpoch.getOrDefault(c.volume, 0L);
        if (c.epoch < max) {
            violate("S1 single writer: " + c.id + " on " + c.node + " wrote " + c.volume + " with epoch " + c.epoch
                    + " after epoch " + max + " had written");
        }
        if (c.epoch > max) {
            maxWrittenEpoch.put(c.volume, c.epoch);
        }
    }

    /** How long a Fencing or Detaching may ignore a source that is reachable and runs no writer. */
    static final long PROGRESS_BOUND = 8 * S;
    private final Map<String, String> progressKey = new HashMap<>();
    private final Map<String, Long> confirmableSince = new HashMap<>();

    /**
     * L1 progress, in every scenario: while a volume is in Fencing or Detaching (the same entry into it) and its
     * source node is up, its agent and dockerd run unpaused, it talks to a leader with a quorum that
     * runs a controller, and no container of the volume is alive on it, the agent can confirm; the
     * controller must move on within {@link #PROGRESS_BOUND}. A relocation stuck there is a
     * violation, not a silent pass (a controller that never accepts the confirmation livelocks).
     */
    private void checkProgress() {
        for (VolumeSpec spec : specs) {
            String vol = spec.volumeName();
            Svc s = svcOf(vol);
            String phase = s.labels.get(Labels.PHASE);
            String key = phase + "/" + s.labels.get(Labels.PHASE_SINCE) + "/" + s.labels.get(Labels.ATTEMPT);
            boolean relocating = "Fencing".equals(phase) || "Detaching".equals(phase);
            Node n = relocating ? byId.get(s.labels.getOrDefault(Labels.NODE, "")) : null;
            boolean confirmable = n != null && n.up && n.agent != null && now >= n.frozenUntil
                    && now >= n.agentPausedUntil && n.dockerUp && leader != null && reachMajority(leader)
                    && leader.controller != null && linkUp(n, leader) && linkUp(leader, n)
                    && n.containers.stream().noneMatch(c -> c.volume.equals(vol));
            if (!confirmable || !key.equals(progressKey.get(vol))) {
                progressKey.put(vol, key);
                confirmableSince.put(vol, confirmable ? now : -1L);
                continue;
            }
            long since = confirmableSince.get(vol);
            if (since < 0) {
                confirmableSince.put(vol, now);
            } else if (now - since > PROGRESS_BOUND) {
                violate("L1 progress: " + vol + " in " + phase + " for " + (now - since) / MS + " ms although its source "
                        + n + " is reachable and runs no writer of it");
            }
        }
    }

    // ------------------------------------------------------------------ scenarios

    private long faultAt;

    private Node randomNode() {
        return nodes.get(rnd.nextInt(nodes.size()));
    }

    /** Waits for steady state (every volume Attached and running), then injects the scenario's faults. */
    private void scheduleScenario() {
        atWorld(4 * S, this::whenSteady);
    }

    private void whenSteady() {
        for (VolumeSpec spec : specs) {
            if (attachedNode(spec.volumeName()) == null || runningContainer(spec.volumeName()) == null) {
                if (now > 12 * S) {
                    violate("L1 liveness: " + spec.volumeName() + " never reached a running attachment in a healthy cluster");
                    return;
                }
                atWorld(now + 500 * MS, this::whenSteady);
                return;
            }
        }
        faultAt = now + rnd.nextLong(2 * S);
        atWorld(faultAt, switch (scenario) {
            case CHAOS -> this::chaos;
            case SINGLE_FAULT -> this::singleFault;
            case BLIP -> this::blip;
            case OUTAGE -> this::outage;
            case FREEZE -> this::longFreeze;
            case OPS -> this::dayTwo;
            case HANDOVER -> this::handover;
        });
    }

    private void chaos() {
        boolean ext = specs.get(0).externalFence();
        int faults = 1 + rnd.nextInt(4);
        long t = now;
        for (int i = 0; i < faults; i++) {
            Node n = randomNode();
            int kind = rnd.nextInt(11);
            long d = 300 * MS + rnd.nextLong(7 * S);
            atWorld(t, () -> {
                switch (kind) {
                    case 0 -> {
                        crash(n, "fault");
                        atWorld(now + d, () -> restart(n));
                    }
                    case 1 -> {
                        partition(Set.of(n), true);
                        atWorld(now + d, () -> partition(Set.of(n), false));
                    }
                    case 2 -> {
                        Node o = randomNode();
                        if (o != n) {
                            cut[n.idx][o.idx] = true;
                            note("one-way cut " + n + " -> " + o);
                            atWorld(now + d, () -> cut[n.idx][o.idx] = false);
                        }
                    }
                    case 3 -> pauseAgent(n, d);
                    case 4 -> {
                        n.agent = null;
                        n.agentGen++;
                        note("agent on " + n + " crashed");
                        atWorld(now + d, () -> restartAgent(n));
                    }
                    // Without an external fence, a node freeze is only tolerated below lease - heartbeat - killBudget.
                    case 5 -> freeze(n, ext ? d : Math.min(d, timing.lease().minus(timing.heartbeat())
                            .minus(timing.killBudget()).toNanos()));
                    case 6 -> restartDockerd(n, S + rnd.nextLong(2 * S));
                    case 7 -> {
                        Node m = leader;
                        if (m != null) {
                            m.controller = null;
                            m.ctrlGen++;
                            note("controller on " + m + " crashed");
                            atWorld(now + d, () -> restartController(m));
                        }
                    }
                    case 8 -> crashWorkload(specs.get(rnd.nextInt(specs.size())).volumeName());
                    case 9 -> {
                        Set<Node> side = new HashSet<>();
                        for (Node x : nodes) {
                            if (rnd.nextBoolean()) {
                                side.add(x);
                            }
                        }
                        partition(side, true);
                        atWorld(now + d, () -> partition(side, false));
                    }
                    default -> {
                        Node o = randomNode();
                        if (o != n) {
                            appBlock[n.idx][o.idx] = true;
                            note("app black-hole " + n + " -> " + o);
                            atWorld(now + d, () -> appBlock[n.idx][o.idx] = false);
                        }
                    }
                }
            });
            t += rnd.nextLong(3 * S);
        }
        atWorld(endAt - 9 * S, () -> {
            healAll();
            for (Node n : nodes) {
                if (n.up && n.agent == null) {
                    restartAgent(n);
                }
                if (n.up && n.manager && n.controller == null) {
                    restartController(n);
                }
            }
        });
    }

    private long l1Bound(boolean leaderHit) {
        long b = timing.lease().toNanos() + timing.driftMarginNanos() + timing.heartbeat().toNanos() + START_BUDGET + PREPARE_MAX;
        if (leaderHit) {
            b += 2 * ELECTION_TIMEOUT + LEADERSHIP_PERIOD + ccfg.leaderLease().toNanos();
        }
        if (hookConfigured) {
            b += FENCE_HOOK_MAX;
        }
        return b;
    }

    private void singleFault() {
        String vol = specs.get(0).volumeName();
        String writer = attachedNode(vol);
        Node n = rnd.nextBoolean() ? byId.get(writer) : randomNode();
        boolean onWriter = n.id.equals(writer);
        boolean leaderHit = n == leader;
        Container before = runningContainer(vol);
        long epochBefore = epochOf(vol);
        // (An adopted container started before the operator runs without the wrapper: not covered, see the
        // safety argument, so the frozen-agent variant is only played against wrapped workloads.)
        if (onWriter && rnd.nextInt(3) == 0 && before != null && before.epoch >= 1) {
            // Hard case 1: the writer's agent is frozen first; only the fencing wrapper is left to stop the writer.
            pauseAgent(n, 60 * S);
        }
        if (rnd.nextBoolean()) {
            crash(n, "single fault");
        } else {
            partition(Set.of(n), true);
        }
        long bound = l1Bound(leaderHit);
        atWorld(now + bound, () -> {
            Container c = runningContainer(vol);
            if (onWriter) {
                // Strict external fencing waits for the hook: a failed hook leaves liveness to its retry.
                boolean waitsForRetry = specs.get(0).externalFence() && hookFailures > 0;
                if (!waitsForRetry && (c == null || c.node == n)) {
                    violate("L1 liveness: " + vol + " not running on a healthy node " + bound / MS
                            + " ms after the fault on " + n);
                }
            } else if (c != before || epochOf(vol) != epochBefore) {
                violate("L2 no false move: " + vol + " moved or restarted after a fault on " + n + ", not its node "
                        + writer);
            }
        });
    }

    private void blip() {
        String vol = specs.get(0).volumeName();
        String writer = attachedNode(vol);
        int pick = rnd.nextInt(10);
        Node n = pick < 6 ? byId.get(writer) : pick < 8 && leader != null ? leader : randomNode();
        long bound = timing.blipBound(Duration.ofNanos(MAX_DELAY)).toNanos();
        long d = timing.heartbeat().toNanos() + rnd.nextLong(Math.max(1, bound - timing.heartbeat().toNanos()));
        Container before = runningContainer(vol);
        long epochBefore = epochOf(vol);
        partition(Set.of(n), true);
        atWorld(now + d, () -> partition(Set.of(n), false));
        atWorld(now + d + 6 * S, () -> {
            if (before.state != RUNNING || epochOf(vol) != epochBefore) {
                violate("L2 no false move: a " + d / MS + " ms blip of " + n + " (bound " + bound / MS + " ms) "
                        + (before.state != RUNNING ? "killed " + before.id : "moved " + vol));
            }
        });
    }

    private void outage() {
        int kind = rnd.nextInt(3);
        String vol = specs.get(0).volumeName();
        String writer = attachedNode(vol);
        Node w = byId.get(writer);
        if (kind == 0 && leader != null && leader != w) {
            // Ack black-hole: the leader cannot answer most agents, the writer cannot reach the leader at all.
            Node l = leader;
            for (Node x : nodes) {
                if (x != l && x != w) {
                    appBlock[l.idx][x.idx] = true;
                }
            }
            appBlock[l.idx][w.idx] = true;
            appBlock[w.idx][l.idx] = true;
            note("ack black-hole from " + l + "; " + w + " cut from " + l);
            atWorld(now + 6 * S + rnd.nextLong(6 * S), this::healAll);
        } else if (kind == 1) {
            // Manager quorum lost: two managers isolated (one may be the leader); no controller anywhere.
            List<Node> ms = new ArrayList<>(nodes.subList(0, 3));
            Node keep = ms.remove(rnd.nextInt(3));
            Set<Node> isolated = Set.copyOf(ms);
            for (Node x : ms) {
                partition(Set.of(x), true);
            }
            Container before = runningContainer(vol);
            boolean writerIsolated = isolated.contains(w);
            long d = 4 * S + rnd.nextLong(8 * S);
            atWorld(now + d, () -> {
                if (!writerIsolated && before.state != RUNNING) {
                    violate("peer-majority: quorum loss killed " + before.id + " on " + before.node
                            + " (connected to a majority of nodes)");
                }
                healAll();
            });
            note("quorum loss, kept " + keep);
        } else {
            Set<Node> managers = Set.copyOf(nodes.subList(0, 3));
            partition(managers, true);
            atWorld(now + 3 * S + rnd.nextLong(6 * S), this::healAll);
        }
    }

    private void longFreeze() {
        String vol = specs.get(0).volumeName();
        Node w = byId.get(attachedNode(vol));
        boolean leaderHit = w == leader;
        long d = timing.lease().toNanos() + S + rnd.nextLong(10 * S);
        freeze(w, d);
        long bound = l1Bound(leaderHit) + 2 * S;
        atWorld(now + bound, () -> {
            Container c = runningContainer(vol);
            if (specs.get(0).externalFence() && hookFailures == 0 && (c == null || !c.node.running())) {
                violate("L1 liveness: " + vol + " not running on a healthy node " + bound / MS + " ms after " + w
                        + " froze");
            }
        });
    }

    // ------------------------------------------------------------------ operator update: agent hand-over

    /**
     * HANDOVER: the writer's agent (or the leader's, which is also the controller's node) is replaced as by a
     * rolling update: SIGTERM asks for the extension, the agent stops once granted (or after the timeout), and
     * the next instance starts {@code gap} later, longer than a plain lease but within the extension. During
     * the gap: nothing else (L2: no kill, no move), the node crashes, the node is partitioned (the agent never
     * comes back while cut off: only the wrapper and the controller's wait keep S1), or the controller fails
     * over (its successor knows of the grant only from Swarm's record).
     */
    private void handover() {
        String vol = specs.get(0).volumeName();
        Node w = byId.get(attachedNode(vol));
        int kind = rnd.nextInt(4);
        Node n = kind == 0 && rnd.nextInt(3) == 0 && leader != null ? leader : w;
        Container before = runningContainer(vol);
        long epochBefore = epochOf(vol);
        long gap = timing.lease().toNanos() + rnd.nextLong(HANDOVER_EXT - timing.lease().toNanos() - S);
        note("operator update on " + n + ": SIGTERM, restart gap " + gap / MS + " ms, " + switch (kind) {
            case 0 -> "nothing else";
            case 1 -> "then the node crashes";
            case 2 -> "then the node is partitioned";
            default -> "then the controller fails over";
        });
        boolean leaderHandover = n == leader && n.controller != null;
        if (leaderHandover) {
            // the leader's node: its controller is replaced too. It hands every lease over first (recorded in
            // Swarm, granted with every ack for 2.5 s), then stops; the next instance's controller starts with the agent.
            Node m = n;
            long window = 2500 * MS;
            List<String> recorded = variant == Variant.HANDOVER_UNACKNOWLEDGED ? List.of()
                    : m.controller.beginHandover(Duration.ofNanos(HANDOVER_EXT), Duration.ofNanos(window));
            note("controller on " + m + " hands over " + recorded);
            int cg = m.ctrlGen;
            atWorld(now + window, () -> {
                if (m.ctrlGen == cg && m.controller != null) {
                    m.controller = null;
                    m.ctrlGen++;
                    note("controller on " + m + " stopped for the update");
                    atWorld(now + gap, () -> restartController(m));
                }
            });
        }
        stopAgentForUpdate(n, now + HANDOVER_TIMEOUT, () -> {
            long stopped = now;
            long lossAt = now + rnd.nextLong(gap);
            switch (kind) {
                case 1 -> atWorld(lossAt, () -> crash(n, "during the hand-over"));
                case 2 -> atWorld(lossAt, () -> partition(Set.of(n), true));
                case 3 -> {
                    Node m = leader;
                    if (m != null && m.controller != null) {
                        m.controller = null;
                        m.ctrlGen++;
                        note("controller on " + m + " crashed during the hand-over");
                        atWorld(now + 500 * MS + rnd.nextLong(3 * S), () -> restartController(m));
                    }
                }
                default -> {
                }
            }
            atWorld(stopped + gap, () -> {
                if (n.up && n.agent == null) {
                    restartAgent(n);
                }
            });
            if (kind == 0 || kind == 3) {
                atWorld(stopped + gap + 8 * S, () -> {
                    if (before.state != RUNNING || epochOf(vol) != epochBefore) {
                        violate("L2 no false move: the operator update of " + n + " (restart gap " + gap / MS + " ms) "
                                + (before.state != RUNNING ? "killed " + before.id : "moved " + vol));
                    }
                });
            } else if (n == w) {
                // from the loss: the plain L1 bound plus the extension (a successor controller counts the recorded
                // extension from its own activation, after the election: that is inside l1Bound(leaderHit))
                // (+ the controller's grant window when the leader's controller handed every lease over)
                long bound = l1Bound(n == leader) + HANDOVER_EXT + timing.heartbeat().toNanos() + (leaderHandover ? 2500 * MS : 0);
                atWorld(lossAt + bound, () -> {
                    Container c = runningContainer(vol);
                    boolean waitsForRetry = specs.get(0).externalFence() && hookFailures > 0;
                    if (!waitsForRetry && (c == null || c.node == n)) {
                        violate("L1 liveness: " + vol + " not running on a healthy node " + bound / MS
                                + " ms after its node was lost during a hand-over");
                    }
                });
            }
        });
    }

    /**
     * SIGTERM of the agent: ask for the extension and stop once a controller granted it, or at {@code giveUpAt}.
     * The HANDOVER_UNACKNOWLEDGED control instead stretches its own lease file and stops at once.
     */
    private void stopAgentForUpdate(Node n, long giveUpAt, Runnable then) {
        if (n.agent == null || !n.up) {
            then.run();
            return;
        }
        if (variant == Variant.HANDOVER_UNACKNOWLEDGED) {
            LeaseFile.Content c = n.leaseContent;
            if (c != null) {
                n.leaseContent = new LeaseFile.Content(c.deadlineNanos() + HANDOVER_EXT, c.allowed(), c.seenRevisions());
            }
            stopAgent(n, "extended its own lease file without a grant");
            then.run();
            return;
        }
        if (!n.agent.requestHandover(Duration.ofNanos(HANDOVER_EXT))) {
            stopAgent(n, "no valid lease to hand over");
            then.run();
            return;
        }
        awaitHandover(n, n.agentGen, giveUpAt, then);
    }

    private void awaitHandover(Node n, int gen, long giveUpAt, Runnable then) {
        if (n.agent == null || n.agentGen != gen) {
            then.run();
            return;
        }
        if (n.agent.handedOver() || now >= giveUpAt) {
            if (n.agent.handedOver()) {
                handovers++;
            }
            stopAgent(n, n.agent.handedOver() ? "handed over" : "no grant in time");
            then.run();
            return;
        }
        atWorld(now + 50 * MS, () -> awaitHandover(n, gen, giveUpAt, then));
    }

    private void stopAgent(Node n, String why) {
        n.agent = null;
        n.agentGen++;
        note("agent on " + n + " stopped for the update (" + why + ")");
    }

    // ------------------------------------------------------------------ day-2 operations

    void setSpec(VolumeSpec spec) {
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i).name().equals(spec.name())) {
                specs.set(i, spec);
            }
        }
        for (Node m : nodes) {
            if (m.controller != null) {
                m.controller.register(spec);
            }
        }
    }

    void setMaintenance(boolean on) {
        maintenanceOn = on;
        note("maintenance " + (on ? "on" : "off"));
        for (Node m : nodes) {
            if (m.controller != null) {
                m.controller.setMaintenance(on, on ? "sim" : "");
            }
        }
    }

    /** The spec source drops a move request once it no longer applies (the volume is attached where asked). */
    private void specSource() {
        for (VolumeSpec spec : List.copyOf(specs)) {
            MoveRequest m = spec.move();
            String at = attachedNode(spec.volumeName());
            if (m != null && at != null && !m.pendingFor(at)) {
                note("move of " + spec.volumeName() + " done or moot on " + at + ": request dropped");
                setSpec(spec.withMove(null));
            }
        }
    }

    /**
     * OPS: planned moves (to random nodes, eligible or not: a node that is down, drained, outside the
     * placement, the current node, a name no node has), drains of the current node, Swarm drains,
     * pause and maintenance toggles, mixed with crashes, partitions and agent pauses of the writer's
     * node; then everything is healed and released, and the volumes must run where the requests that
     * can be honoured put them (L1 when nothing blocks).
     */
    private void dayTwo() {
        int n = 3 + rnd.nextInt(5);
        long t = now;
        long healAt = endAt - 22 * S;
        // Every operation lands before the heal, so the final check judges a quiet cluster.
        for (int i = 0; i < n && t < healAt - S; i++) {
            atWorld(t, this::dayTwoOp);
            t += 300 * MS + rnd.nextLong(3 * S);
        }
        atWorld(healAt, () -> {
            healAll();
            for (VolumeSpec spec : List.copyOf(specs)) {
                if (spec.paused()) {
                    setSpec(spec.withPaused(false));
                }
            }
            if (maintenanceOn) {
                setMaintenance(false);
            }
            for (Node x : nodes) {
                availability.put(x.id, NodeInfo.Availability.ACTIVE);
                x.agentPausedUntil = Math.min(x.agentPausedUntil, now);
                if (!x.up) {
                    powerOn(x);
                } else if (x.agent == null) {
                    restartAgent(x);
                }
            }
            note("day-2: all healed and released");
        });
        atWorld(endAt - 200 * MS, this::dayTwoCheck);
    }

    private void dayTwoOp() {
        ops++;
        VolumeSpec spec = specs.get(rnd.nextInt(specs.size()));
        String vol = spec.volumeName();
        String at = attachedNode(vol);
        Node w = at != null ? byId.get(at) : randomNode();
        long d = 500 * MS + rnd.nextLong(6 * S);
        int k = rnd.nextInt(100);
        if (k < 30) {
            int pick = rnd.nextInt(8);
            String to = pick == 0 ? "ghost" : pick == 1 && at != null ? at : randomNode().id;
            note("day-2: relocate " + vol + " to " + to);
            setSpec(spec.withMove(MoveRequest.relocateTo(to, wall())));
        } else if (k < 42) {
            String from = at != null && rnd.nextInt(4) != 0 ? at : randomNode().id;
            note("day-2: drain " + vol + " from " + from);
            setSpec(spec.withMove(MoveRequest.drainFrom(from, wall())));
        } else if (k < 50) {
            Node x = rnd.nextBoolean() ? w : randomNode();
            note("day-2: swarm drains " + x + " for " + d / MS + " ms");
            availability.put(x.id, NodeInfo.Availability.DRAIN);
            atWorld(now + d, () -> {
                availability.put(x.id, NodeInfo.Availability.ACTIVE);
                note("day-2: " + x + " active again");
            });
        } else if (k < 64) {
            boolean p = !spec.paused();
            note("day-2: " + (p ? "pause " : "unpause ") + vol);
            setSpec(spec.withPaused(p));
        } else if (k < 74) {
            setMaintenance(!maintenanceOn);
        } else if (k < 82) {
            crash(w, "day-2 fault");
            atWorld(now + d, () -> restart(w));
        } else if (k < 92) {
            partition(Set.of(w), true);
            atWorld(now + d, () -> partition(Set.of(w), false));
        } else {
            pauseAgent(w, d);
        }
    }

    /** After healing: each volume runs on its attached node, and where a request can be honoured it was. */
    private void dayTwoCheck() {
        for (VolumeSpec spec : specs) {
            String vol = spec.volumeName();
            String at = attachedNode(vol);
            Container c = runningContainer(vol);
            if (at == null || c == null || !c.node.id.equals(at)) {
                violate("L1 liveness: " + vol + " not running on its attached node 22 s after every fault was healed and"
                        + " every hold released (phase " + svcOf(vol).labels.get(Labels.PHASE) + ")");
                return;
            }
            MoveRequest m = spec.move();
            if (m == null || !m.pendingFor(at)) {
                continue;
            }
            boolean toEligible = m.to() != null && byId.containsKey(m.to()) && !m.to().equals(m.from())
                    && (spec.placement().isEmpty() || "a".equals(zone.get(m.to())));
            long others = nodes.stream().filter(x -> !x.id.equals(at)
                    && (spec.placement().isEmpty() || "a".equals(zone.get(x.id)))).count();
            if (toEligible || (m.to() == null && others > 0)) {
                violate("L1 liveness: " + vol + " still on " + at + " although the request " + m + " can be honoured");
            }
        }
    }

    // ------------------------------------------------------------------ trace

    void note(String line) {
        String l = String.format("%9.3f %s", now / 1e9, line);
        if (DEBUG) {
            System.out.println("TRACE " + l);
        }
        if (trace.size() == 80) {
            trace.removeFirst();
        }
        trace.addLast(l);
        traceLines++;
        for (int i = 0; i < l.length(); i++) {
            traceHash = (traceHash ^ l.charAt(i)) * 0x100000001b3L;
        }
    }

    String traceTail() {
        return String.join("\n", trace);
    }

}
