package dev.relocator.core.controller;

import dev.relocator.core.events.StateChange;
import dev.relocator.core.model.Labels;
import dev.relocator.core.model.NodeInfo;
import dev.relocator.core.model.ServiceUpdate;
import dev.relocator.core.model.ServiceView;
import dev.relocator.core.model.TaskView;
import dev.relocator.core.ports.AgentCommands;
import dev.relocator.core.ports.Clock;
import dev.relocator.core.ports.ExternalFence;
import dev.relocator.core.ports.StaleVersionException;
import dev.relocator.core.ports.SwarmCluster;
import dev.relocator.core.protocol.AgentCommand;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** In-memory port implementations for unit tests of the state machine (the simulation has the full model). */
final class Fakes {

    static final class ManualClock implements Clock {
        long nanos = 1_000_000_000_000L;

        void advanceMillis(long ms) {
            nanos += ms * 1_000_000L;
        }

        @Override
        public long monotonicNanos() {
            return nanos;
        }

        @Override
        public Instant wallTime() {
            return Instant.parse("2026-01-01T00:00:00Z").plusNanos(nanos - 1_000_000_000_000L);
        }
    }

    static final class Cluster implements SwarmCluster {
        final Map<String, NodeInfo> nodes = new LinkedHashMap<>();
        String service = "db";
        long version = 10;
        Map<String, String> labels = new TreeMap<>();
        List<String> constraints = List.of();
        int replicas;
        List<TaskView> tasks = new ArrayList<>();
        boolean leader = true;
        int updates;
        /** The next CAS loses to a rival controller: the version moves and so does the controller revision. */
        boolean staleNext;
        /** The next CAS attempts each lose to one of Swarm's own bumps (UpdateStatus): only the version moves. */
        int swarmBumpsBeforeCas;

        Cluster node(String id, NodeInfo.Availability a, NodeInfo.SwarmState s, Map<String, String> nodeLabels) {
            nodes.put(id, new NodeInfo(id, id, false, a, s, nodeLabels, false));
            return this;
        }

        Cluster node(String id) {
            return node(id, NodeInfo.Availability.ACTIVE, NodeInfo.SwarmState.READY, Map.of());
        }

        @Override
        public List<NodeInfo> nodes() {
            return List.copyOf(nodes.values());
        }

        @Override
        public Optional<ServiceView> service(String name) {
            if (!name.equals(service)) {
                return Optional.empty();
            }
            return Optional.of(new ServiceView("id-" + name, name, version, labels, constraints, replicas, tasks));
        }

        @Override
        public long update(String name, long expectedVersion, ServiceUpdate u) throws StaleVersionException {
            if (staleNext) {
                staleNext = false;
                version++;
                labels = new TreeMap<>(labels);
                labels.put(Labels.REVISION, Long.toString(version));
                throw new StaleVersionException(name, expectedVersion, version);
            }
            if (swarmBumpsBeforeCas > 0) {
                swarmBumpsBeforeCas--;
                version++;
            }
            if (expectedVersion != version) {
                throw new StaleVersionException(name, expectedVersion, version);
            }
            Map<String, String> l = new TreeMap<>(labels);
            l.keySet().removeIf(k -> k.startsWith(Labels.PREFIX));
            l.putAll(u.labels());
            labels = l;
            constraints = u.constraints();
            replicas = u.replicas();
            version++;
            updates++;
            return version;
        }

        @Override
        public boolean confirmLeadership() {
            return leader;
        }

        /** Hand-over records refused (a write that does not commit). */
        boolean handoverWritesFail;
        int handoverWrites;

        @Override
        public void recordHandover(String node, long extensionMillis) {
            handoverWrites++;
            if (handoverWritesFail) {
                throw new dev.relocator.core.ports.ClusterUnavailableException("no quorum");
            }
            NodeInfo n = nodes.get(node);
            Map<String, String> l = new TreeMap<>(n.labels());
            if (extensionMillis > 0) {
                l.put(Controller.HANDOVER_LABEL, Long.toString(extensionMillis));
            } else {
                l.remove(Controller.HANDOVER_LABEL);
            }
            nodes.put(node, new NodeInfo(n.id(), n.hostname(), n.manager(), n.availability(), n.state(), l, n.leader()));
        }

        String phase() {
            return labels.get(Labels.PHASE);
        }

        void runningTaskOn(String node) {
            tasks = List.of(new TaskView("t" + tasks.size(), node, TaskView.TaskState.RUNNING, "", Instant.now()));
        }
    }

    static final class Commands implements AgentCommands {
        final List<String> sent = new ArrayList<>();
        final List<AgentCommand> commands = new ArrayList<>();

        @Override
        public void send(String node, AgentCommand command) {
            sent.add(node + ":" + command.getClass().getSimpleName());
            commands.add(command);
        }
    }

    /** A hook that applies to every node once {@link #configured}; outcomes are set by the test. */
    static final class Fence implements ExternalFence {
        boolean configured;
        final List<String> requests = new ArrayList<>();
        final Set<String> requested = new HashSet<>();
        final Set<String> confirmed = new HashSet<>();
        final Set<String> failed = new HashSet<>();
        final List<String> resets = new ArrayList<>();

        @Override
        public void request(String node, String volume) {
            if (!configured || requested.contains(node) && !failed.contains(node) || confirmed.contains(node)) {
                return;
            }
            failed.remove(node);
            requested.add(node);
            requests.add(node);
        }

        @Override
        public State state(String node, String volume) {
            return !configured ? State.NOT_CONFIGURED : confirmed.contains(node) ? State.CONFIRMED
                    : failed.contains(node) ? State.FAILED : requested.contains(node) ? State.REQUESTED : State.IDLE;
        }

        @Override
        public void reset(String node) {
            resets.add(node);
            requested.remove(node);
            confirmed.remove(node);
            failed.remove(node);
        }
    }

    static final class Events implements dev.relocator.core.events.EventSink {
        final List<StateChange> all = new ArrayList<>();

        @Override
        public void publish(StateChange change) {
            all.add(change);
        }
    }

    private Fakes() {
    }
}
