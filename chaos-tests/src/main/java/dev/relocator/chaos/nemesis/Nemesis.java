package dev.relocator.chaos.nemesis;

import dev.relocator.chaos.history.History;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.lab.ExecResult;
import dev.relocator.chaos.lab.LabException;
import dev.relocator.chaos.lab.LabNode;
import dev.relocator.chaos.lab.SwarmLab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.awaitility.Awaitility;

/**
 * Injects faults into a lab and heals them, writing each step into the history: an {@code invoke}
 * when the fault starts, {@code ok} once it is in place ({@code info} when the outcome is unknown),
 * and the same pair with f = {@code heal}. Every fault that is still active can be healed with
 * {@link #healAll()}, which a run calls before it checks.
 */
public final class Nemesis {

    public static final String CRASH = "crash";
    public static final String PARTITION = "partition";
    public static final String BLIP = "blip";
    public static final String FREEZE = "freeze";
    public static final String DOCKERD_RESTART = "dockerd-restart";
    public static final String KILL_WORKLOAD = "kill-workload";
    public static final String BROKER_STOP = "broker-stop";
    public static final String LEADER_CRASH = "leader-crash";
    public static final String UNMOUNT_HANG = "unmount-hang";
    /** SIGKILL of operator instances (the controller on the leader, an agent) while a relocation runs. */
    public static final String OPERATOR_KILL = "operator-kill";
    /** Read by the lab-nas volume driver in every node (see lab-nas-driver). */
    public static final String HANG_FILE = "hang-unmount-ms";

    static final String CHAIN = "LAB-PARTITION";
    private static final Duration HEAL_TIMEOUT = Duration.ofSeconds(90);

    private final SwarmLab lab;
    private final History history;
    private final Optional<BrokerControl> broker;
    /** faults in place, in injection order, for healAll */
    private final java.util.Set<Active> active = new java.util.LinkedHashSet<>();

    /** A fault in place on a target (a node name, or "broker"). */
    public record Active(String fault, String target) {
    }

    public Nemesis(SwarmLab lab, History history, Optional<BrokerControl> broker) {
        this.lab = lab;
        this.history = history;
        this.broker = broker;
    }

    // ------------------------------------------------------------------ crash

    /** Kills the node container: every process of the node dies at once (crash-stop). */
    public void crash(String node, boolean expectRelocation) {
        fault(CRASH, node, expectRelocation, Map.of(), () -> {
            lab.hostDocker().killContainerCmd(lab.node(node).containerId()).exec();
            return Map.of();
        });
    }

    /** Heals a crash: starts the node container again; its engine state survives, so it rejoins the swarm. */
    public void restart(String node) {
        heal(CRASH, node, () -> {
            lab.hostDocker().startContainerCmd(lab.node(node).containerId()).exec();
            awaitRejoined(node);
        });
    }

    /** Crashes the manager that is the Raft leader now; returns its name. */
    public String crashLeader(boolean expectRelocation) {
        return crashLeader(expectRelocation, Map.of());
    }

    /** Crashes the Raft leader; {@code extra} goes into the history (e.g. {@code withinRecovery}, the phase seen). */
    public String crashLeader(boolean expectRelocation, Map<String, Object> extra) {
        String leader = lab.leader().orElseThrow(() -> new LabException("no manager reports a leader"));
        fault(LEADER_CRASH, leader, expectRelocation, extra, () -> {
            lab.hostDocker().killContainerCmd(lab.node(leader).containerId()).exec();
            return Map.of();
        });
        return leader;
    }

    public void restartLeader(String node) {
        heal(LEADER_CRASH, node, () -> {
            lab.hostDocker().startContainerCmd(lab.node(node).containerId()).exec();
            awaitRejoined(node);
        });
    }

    // ------------------------------------------------------------------ partitions

    /**
     * Cuts a node off with DROP rules in its own network namespace (both directions), toward every
     * peer and the host ({@link PartitionScope#FULL}) or toward the managers only. Established
     * connections stall rather than reset, as on a real partition.
     */
    public void partition(String node, PartitionScope scope, boolean expectRelocation) {
        fault(PARTITION, node, expectRelocation, Map.of("scope", scope.name()), () -> {
            applyPartition(node, scope);
            return Map.of();
        });
    }

    public void healPartition(String node) {
        heal(PARTITION, node, () -> clearPartition(node));
    }

    /**
     * A partition that heals itself after {@code duration}: the blip of L2, which must move nothing
     * when shorter than the lease. Returns after the heal.
     */
    public void blip(String node, PartitionScope scope, Duration duration) {
        fault(BLIP, node, false, Map.of("scope", scope.name(), "durationMs", duration.toMillis()), () -> {
            applyPartition(node, scope);
            return Map.of();
        });
        pause(duration);
        heal(BLIP, node, () -> clearPartition(node));
    }

    private void applyPartition(String node, PartitionScope scope) {
        List<String> peers = new ArrayList<>();
        for (LabNode n : lab.nodes()) {
            if (!n.name().equals(node) && (scope == PartitionScope.FULL || n.manager())) {
                peers.add(n.ip());
            }
        }
        if (scope == PartitionScope.FULL) {
            peers.add(lab.gatewayAddress());
        }
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("partitioning " + node + " from " + scope + " cuts nothing: it is the only manager");
        }
        StringBuilder s = new StringBuilder("set -e; ")
                .append("iptables -w -N ").append(CHAIN).append(" 2>/dev/null || true; ")
                .append("iptables -w -F ").append(CHAIN).append("; ")
                .append("iptables -w -C INPUT -j ").append(CHAIN).append(" 2>/dev/null || iptables -w -I INPUT 1 -j ").append(CHAIN).append("; ")
                .append("iptables -w -C OUTPUT -j ").append(CHAIN).append(" 2>/dev/null || iptables -w -I OUTPUT 1 -j ").append(CHAIN).append("; ");
        for (String ip : peers) {
            s.append("iptables -w -A ").append(CHAIN).append(" -s ").append(ip).append(" -j DROP; ")
                    .append("iptables -w -A ").append(CHAIN).append(" -d ").append(ip).append(" -j DROP; ");
        }
        lab.exec(node, "sh", "-c", s.toString()).orThrow("partition of " + node);
    }

    private void clearPartition(String node) {
        lab.exec(node, "sh", "-c", "iptables -w -F " + CHAIN + " 2>/dev/null || true").orThrow("heal partition of " + node);
    }

    // ------------------------------------------------------------------ freeze, dockerd, workload, broker

    /** Pauses every process of the node (cgroup freezer): a process pause, nothing is told. */
    public void freeze(String node, boolean expectRelocation) {
        fault(FREEZE, node, expectRelocation, Map.of(), () -> {
            lab.hostDocker().pauseContainerCmd(lab.node(node).containerId()).exec();
            return Map.of();
        });
    }

    public void unfreeze(String node) {
        heal(FREEZE, node, () -> lab.hostDocker().unpauseContainerCmd(lab.node(node).containerId()).exec());
    }

    /**
     * Heals a freeze however it ended: a node still frozen is unpaused; a node that an external fence
     * powered off while it was frozen (a fence hook's {@code docker kill}) is started again, and the
     * heal returns once it is Ready in the swarm. {@link #unfreeze} alone would fail on the latter.
     */
    public void healFreeze(String node) {
        heal(FREEZE, node, () -> {
            var state = lab.hostDocker().inspectContainerCmd(lab.node(node).containerId()).exec().getState();
            if (Boolean.TRUE.equals(state.getRunning())) {
                if (Boolean.TRUE.equals(state.getPaused())) {
                    lab.hostDocker().unpauseContainerCmd(lab.node(node).containerId()).exec();
                }
            } else {
                lab.hostDocker().startContainerCmd(lab.node(node).containerId()).exec();
                awaitRejoined(node);
            }
        });
    }

    /**
     * Restarts the node's dockerd (SIGTERM; the node's init loop starts it again). Swarm mode forbids
     * live-restore, so the node's containers stop with it. Returns once the engine answers again.
     */
    public void restartDockerd(String node, boolean expectRelocation) {
        fault(DOCKERD_RESTART, node, expectRelocation, Map.of(), () -> {
            lab.exec(node, "sh", "-c", "kill -TERM \"$(cat /var/run/docker.pid)\"").orThrow("dockerd stop on " + node);
            return Map.of();
        });
        heal(DOCKERD_RESTART, node, () -> awaitRejoined(node));
    }

    /** Kills the workload's container on a node (SIGKILL), leaving the node and its engine alone. */
    public String killWorkload(String node, String service, boolean expectRelocation) {
        String[] killed = new String[1];
        fault(KILL_WORKLOAD, node, expectRelocation, Map.of("service", service), () -> {
            String id = lab.docker(node, "ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + service)
                    .orThrow("docker ps on " + node).stdout().strip();
            if (id.isEmpty()) {
                throw new LabException("no container of service " + service + " runs on " + node);
            }
            killed[0] = id.lines().findFirst().orElseThrow();
            lab.docker(node, "kill", killed[0]).orThrow("docker kill on " + node);
            return Map.of("container", killed[0]);
        });
        active.remove(new Active(KILL_WORKLOAD, node));
        return killed[0];
    }

    public void brokerStop() {
        brokerStop(Map.of());
    }

    /** Stops the broker; {@code extra} goes into the history (e.g. {@code withinRecovery} when a relocation runs). */
    public void brokerStop(Map<String, Object> extra) {
        BrokerControl b = broker.orElseThrow(() -> new IllegalStateException(
                "no broker: create the Nemesis with the BrokerControl of the test's Kafka broker"));
        fault(BROKER_STOP, "broker", false, extra, () -> {
            b.stop();
            return Map.of();
        });
    }

    /**
     * SIGKILLs the containers of {@code service} (the operator) on each of {@code nodes}, through
     * each node's own engine; Swarm restarts them (global service, restart policy any). A node
     * with no such container is recorded in the history, not an error: the instance may be
     * restarting already. Returns node → killed container ids.
     */
    public Map<String, List<String>> killOperator(List<String> nodes, String service, Map<String, Object> extra) {
        Map<String, List<String>> killed = new LinkedHashMap<>();
        Map<String, Object> v = new LinkedHashMap<>(extra);
        v.put("service", service);
        v.put("nodes", List.copyOf(nodes));
        fault(OPERATOR_KILL, String.join(",", nodes), false, v, () -> {
            for (String node : nodes) {
                List<String> ids = lab.docker(node, "ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + service)
                        .orThrow("docker ps on " + node).stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
                for (String id : ids) {
                    lab.docker(node, "kill", id).orThrow("docker kill " + id + " on " + node);
                }
                killed.put(node, ids);
            }
            return Map.of("killed", Map.copyOf(killed));
        });
        active.remove(new Active(OPERATOR_KILL, String.join(",", nodes)));
        return killed;
    }

    public void brokerStart() {
        BrokerControl b = broker.orElseThrow(() -> new IllegalStateException("no broker to start"));
        heal(BROKER_STOP, "broker", b::start);
    }

    // ------------------------------------------------------------------ hanging unmount

    /**
     * Makes every volume unmount of the lab-nas driver on a node block for {@code hang} before it
     * answers dockerd, until healed. dockerd releases a stopped container's volumes through that
     * call, so the container's clean-up (and anything that waits for the volume to be released)
     * hangs as with a stuck NFS or block-device detach.
     */
    public void hangUnmount(String node, Duration hang) {
        fault(UNMOUNT_HANG, node, false, Map.of("hangMs", hang.toMillis()), () -> {
            writeHangFile(node, Long.toString(hang.toMillis()));
            return Map.of();
        });
    }

    public void healUnmountHang(String node) {
        heal(UNMOUNT_HANG, node, () -> writeHangFile(node, null));
    }

    private void writeHangFile(String node, String content) {
        java.nio.file.Path f = lab.nodeDir(node).resolve(HANG_FILE);
        try {
            if (content == null) {
                java.nio.file.Files.deleteIfExists(f);
            } else {
                java.nio.file.Path tmp = f.resolveSibling(HANG_FILE + ".tmp");
                java.nio.file.Files.writeString(tmp, content + "\n");
                java.nio.file.Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot set the unmount hang of " + node, e);
        }
    }

    // ------------------------------------------------------------------ heal everything

    /** Heals every active fault, newest first: a run ends healed, then it is checked. */
    public void healAll() {
        List<Active> list = new ArrayList<>(active);
        java.util.Collections.reverse(list);
        for (Active a : list) {
            switch (a.fault()) {
                case CRASH -> restart(a.target());
                case LEADER_CRASH -> restartLeader(a.target());
                case PARTITION -> healPartition(a.target());
                case BLIP -> heal(BLIP, a.target(), () -> clearPartition(a.target()));
                case FREEZE -> healFreeze(a.target());
                case BROKER_STOP -> brokerStart();
                case UNMOUNT_HANG -> healUnmountHang(a.target());
                default -> active.remove(a);
            }
        }
    }

    public java.util.Set<Active> activeFaults() {
        return java.util.Set.copyOf(active);
    }

    // ------------------------------------------------------------------ plumbing

    private void awaitRejoined(String node) {
        Awaitility.await(node + " engine up").atMost(HEAL_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .until(() -> lab.engineUp(node));
        Awaitility.await(node + " Ready in the swarm").atMost(HEAL_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> lab.readyNodes().contains(node));
    }

    private void fault(String f, String target, boolean expectRelocation, Map<String, Object> extra, Supplier<Map<String, Object>> action) {
        Map<String, Object> v = new LinkedHashMap<>(extra);
        v.put("node", target);
        v.put("expectRelocation", expectRelocation);
        history.append(Op.NEMESIS, Op.INVOKE, f, v);
        try {
            Map<String, Object> result = action.get();
            active.add(new Active(f, target));
            Map<String, Object> done = new LinkedHashMap<>(v);
            done.putAll(result);
            history.append(Op.NEMESIS, Op.OK, f, done);
        } catch (RuntimeException e) {
            // the fault may or may not be in place: record that honestly, and try to heal it later
            active.add(new Active(f, target));
            Map<String, Object> info = new LinkedHashMap<>(v);
            info.put("error", String.valueOf(e.getMessage()));
            history.append(Op.NEMESIS, Op.INFO, f, info);
            throw e;
        }
    }

    private void heal(String fault, String target, Runnable action) {
        Map<String, Object> v = Map.of("fault", fault, "node", target);
        history.append(Op.NEMESIS, Op.INVOKE, "heal", v);
        try {
            action.run();
            active.remove(new Active(fault, target));
            history.append(Op.NEMESIS, Op.OK, "heal", v);
        } catch (RuntimeException e) {
            Map<String, Object> info = new LinkedHashMap<>(v);
            info.put("error", String.valueOf(e.getMessage()));
            history.append(Op.NEMESIS, Op.INFO, "heal", info);
            throw e;
        }
    }

    /** The duration of a timed fault is the fault itself, not a wait for a condition. */
    static void pause(Duration d) {
        try {
            TimeUnit.MILLISECONDS.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted during a timed fault", e);
        }
    }
}
