package dev.relocator.docker.swarm;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.Service;
import com.github.dockerjava.api.model.ServiceModeConfig;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.SwarmInfo;
import com.github.dockerjava.api.model.SwarmNode;
import com.github.dockerjava.api.model.Task;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Swarm as the controller sees it: role and leadership, nodes, services, tasks, and the one
 * write Relocator makes, a compare-and-swap service update. Thin by intent: every call is
 * one Docker API call on the request client (which carries timeouts).
 */
public final class SwarmAdapter {

    private final DockerClient docker;
    private final RawSwarmApi raw;
    /** The node id the next leadership proof starts from without reading {@code /info}; null: read it. */
    private volatile String proofNodeId;

    public SwarmAdapter(DockerClient docker) {
        this.docker = Objects.requireNonNull(docker, "docker");
        this.raw = new RawSwarmApi(docker);
    }

    /**
     * The local node's role, from Swarm itself: {@code /info} gives the node id and whether
     * this node is a manager; the node's own {@code ManagerStatus.Leader} says whether it
     * leads Raft. Re-read on every call: leadership changes without notice.
     */
    public SwarmRole role() {
        Info info = docker.infoCmd().exec();
        SwarmInfo swarm = info.getSwarm();
        if (swarm == null || swarm.getNodeID() == null || swarm.getNodeID().isEmpty()) {
            return SwarmRole.NOT_IN_SWARM;
        }
        String state = swarm.getLocalNodeState() == null ? "inactive" : swarm.getLocalNodeState().getValue();
        boolean manager = Boolean.TRUE.equals(swarm.getControlAvailable());
        boolean leader = false;
        if (manager) {
            try {
                leader = docker.listSwarmNodesCmd().withIdFilter(List.of(swarm.getNodeID())).exec().stream()
                        .filter(n -> swarm.getNodeID().equals(n.getId()))
                        .anyMatch(n -> n.getManagerStatus() != null && n.getManagerStatus().isLeader());
            } catch (DockerException e) {
                // a manager without quorum cannot list nodes: it leads nothing
                leader = false;
            }
        }
        return new SwarmRole(swarm.getNodeID(), state, manager, leader);
    }

    /** All nodes, sorted by id. Only managers can answer. */
    public List<NodeInfo> nodes() {
        try {
            return docker.listSwarmNodesCmd().exec().stream()
                    .map(SwarmAdapter::toNodeInfo)
                    .sorted(Comparator.comparing(NodeInfo::id))
                    .toList();
        } catch (DockerException e) {
            throw new SwarmException("cannot list Swarm nodes (this call needs a manager with quorum): " + e.getMessage(), e);
        }
    }

    public Optional<NodeInfo> node(String nodeId) {
        try {
            return docker.listSwarmNodesCmd().withIdFilter(List.of(nodeId)).exec().stream()
                    .filter(n -> nodeId.equals(n.getId()))
                    .findFirst().map(SwarmAdapter::toNodeInfo);
        } catch (DockerException e) {
            throw new SwarmException("cannot read Swarm node " + nodeId + ": " + e.getMessage(), e);
        }
    }

    static NodeInfo toNodeInfo(SwarmNode n) {
        String hostname = n.getDescription() == null ? "" : n.getDescription().getHostname();
        String state = n.getStatus() == null || n.getStatus().getState() == null ? "unknown" : n.getStatus().getState().name().toLowerCase(Locale.ROOT);
        String address = n.getStatus() == null ? "" : n.getStatus().getAddress();
        String availability = n.getSpec() == null || n.getSpec().getAvailability() == null ? "active" : n.getSpec().getAvailability().name().toLowerCase(Locale.ROOT);
        String role = n.getSpec() == null || n.getSpec().getRole() == null ? "worker" : n.getSpec().getRole().name().toLowerCase(Locale.ROOT);
        Map<String, String> labels = n.getSpec() == null ? Map.of() : n.getSpec().getLabels();
        boolean leader = n.getManagerStatus() != null && n.getManagerStatus().isLeader();
        String managerAddr = n.getManagerStatus() == null ? "" : n.getManagerStatus().getAddr();
        long version = n.getVersion() == null || n.getVersion().getIndex() == null ? 0 : n.getVersion().getIndex();
        return new NodeInfo(n.getId(), hostname, state, availability, role, labels, address, managerAddr, leader, version);
    }

    /** Inspects a service by id or name; empty when it does not exist. */
    public Optional<ServiceSnapshot> service(String idOrName) {
        try {
            return Optional.of(toSnapshot(docker.inspectServiceCmd(idOrName).exec()));
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (DockerException e) {
            throw new SwarmException("cannot inspect service " + idOrName + ": " + e.getMessage(), e);
        }
    }

    /**
     * The update state of a service by id or name, as Swarm's API spells it ({@code updating},
     * {@code paused}, {@code completed}, {@code rollback_started}, ...), {@code none} when it was never
     * updated; empty when the service does not exist.
     */
    public Optional<String> updateState(String idOrName) {
        try {
            var status = docker.inspectServiceCmd(idOrName).exec().getUpdateStatus();
            return Optional.of(status == null || status.getState() == null ? "none" : status.getState().name().toLowerCase(java.util.Locale.ROOT));
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (DockerException e) {
            throw new SwarmException("cannot inspect service " + idOrName + ": " + e.getMessage(), e);
        }
    }

    /** Services carrying the given label (any value when {@code value} is null). */
    public List<ServiceSnapshot> servicesWithLabel(String key, String value) {
        try {
            var cmd = docker.listServicesCmd();
            if (value != null) {
                cmd = cmd.withLabelFilter(Map.of(key, value));
            }
            // without a value the filter is applied here: docker-java would send "key=", which
            // the daemon reads as "key with an empty value"
            return cmd.exec().stream().map(SwarmAdapter::toSnapshot)
                    .filter(s -> s.labels().containsKey(key) && (value == null || value.equals(s.labels().get(key))))
                    .sorted(Comparator.comparing(ServiceSnapshot::name))
                    .toList();
        } catch (DockerException e) {
            throw new SwarmException("cannot list services labelled " + key + ": " + e.getMessage(), e);
        }
    }

    static ServiceSnapshot toSnapshot(Service s) {
        ServiceSpec spec = s.getSpec();
        long version = s.getVersion() == null || s.getVersion().getIndex() == null ? 0 : s.getVersion().getIndex();
        Optional<Long> replicas = Optional.empty();
        ServiceModeConfig mode = spec == null ? null : spec.getMode();
        if (mode != null && mode.getReplicated() != null) {
            replicas = Optional.of(mode.getReplicated().getReplicas());
        }
        List<String> mounts = new ArrayList<>();
        if (spec != null && spec.getTaskTemplate() != null && spec.getTaskTemplate().getContainerSpec() != null
                && spec.getTaskTemplate().getContainerSpec().getMounts() != null) {
            for (Mount m : spec.getTaskTemplate().getContainerSpec().getMounts()) {
                if ((m.getType() == null || m.getType() == MountType.VOLUME) && m.getSource() != null) {
                    mounts.add(m.getSource());
                }
            }
        }
        List<String> constraints = spec == null ? List.of() : Placement.constraints(spec);
        return new ServiceSnapshot(s.getId(), spec == null ? "" : spec.getName(), version,
                spec == null ? Map.of() : spec.getLabels(), replicas, constraints, mounts, spec);
    }

    /**
     * Compare-and-swap on the service's raw spec: reads it, refuses at once when its version is
     * not {@code expectedVersion}, applies {@code change} to a copy of the JSON spec (fields
     * docker-java does not model survive), and sends it with {@code expectedVersion}. If anything
     * changed the service in between, Swarm refuses: {@link StaleVersionException}, nothing
     * changed. Returns the version read back after the write.
     */
    public long update(String idOrName, long expectedVersion, java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> change) {
        Objects.requireNonNull(change, "change");
        com.fasterxml.jackson.databind.JsonNode current = raw.get("/services/" + RawSwarmApi.segment(idOrName))
                .orElseThrow(() -> new SwarmException("service " + idOrName + " does not exist"));
        String id = current.path("ID").asText();
        long version = RawSwarmApi.version(current);
        if (version != expectedVersion) {
            throw new StaleVersionException(id, expectedVersion, null);
        }
        com.fasterxml.jackson.databind.node.ObjectNode spec = RawSwarmApi.specCopy(current);
        change.accept(spec);
        RawSwarmApi.Reply reply = raw.post("/services/" + RawSwarmApi.segment(id) + "/update?version=" + expectedVersion, spec);
        if (!reply.ok()) {
            if (reply.message() != null && reply.message().toLowerCase(Locale.ROOT).contains("out of sequence")) {
                throw new StaleVersionException(id, expectedVersion, new SwarmException(reply.message()));
            }
            throw new SwarmException("updating service " + idOrName + " failed with " + reply.status() + ": " + reply.message());
        }
        return settledVersion(id);
    }

    /** Longest wait for Swarm's own follow-up writes after an update; the controller loop waits with it. */
    private static final long SETTLE_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(500);

    /**
     * Swarm writes the service again by itself after a spec change (the updater records its
     * {@code UpdateStatus}: updating, then completed), each write bumping {@code Version.Index}.
     * Returning the version read right after the write would hand the caller a version that is
     * stale moments later, and anything keyed on "the current version" (commands carrying it,
     * reports echoing it) would chase it. So this waits, briefly and boundedly, until the
     * version stops moving and no update is in progress, and returns that version.
     */
    private long settledVersion(String id) {
        long deadline = System.nanoTime() + SETTLE_NANOS;
        long last = -1;
        while (true) {
            com.fasterxml.jackson.databind.JsonNode svc = raw.get("/services/" + RawSwarmApi.segment(id))
                    .orElseThrow(() -> new SwarmException("service " + id + " vanished right after its update"));
            long version = RawSwarmApi.version(svc);
            String state = svc.path("UpdateStatus").path("State").asText("");
            boolean updating = state.equals("updating") || state.equals("rollback_started");
            if ((version == last && !updating) || System.nanoTime() - deadline >= 0) {
                return version;
            }
            last = version;
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** Typed convenience over {@link #update(String, long, java.util.function.Consumer)}: pin and attachment labels. */
    public long pinAndLabel(ServiceSnapshot base, String nodeId, Map<String, String> relocatorLabels) {
        return update(base.id(), base.version(), spec -> {
            RawSpecs.replaceRelocatorLabels(spec, relocatorLabels);
            RawSpecs.setConstraints(spec, Placement.withPin(RawSpecs.constraints(spec), nodeId));
        });
    }

    /**
     * Proves with a write that needs a Raft quorum that the cluster accepts this manager's
     * writes now: re-writes the local node's own spec unchanged at its current version. A
     * partitioned ex-leader cannot commit it. The node spec (name, labels, role, availability)
     * is written back as read, so nothing changes but the node's version.
     *
     * <p>The local node's id comes from {@code /info} (via {@link #role()}) at the first proof and
     * is kept: the node's own record ({@code GET /nodes/<id>}, read before every write anyway) says
     * whether it leads, which is what {@link #role()} would have added. {@code /info} is the
     * engine's most expensive read, and at one proof every 500 ms it was half of the proof's cost
     * (docs/benchmarks.md §3). Any doubt about the kept id (the node is gone, the read fails)
     * falls back to the full path of {@link #role()} first, so every answer the proof gave before
     * it still gives, from the same reads.
     *
     * @return false when this node is not the leader (a certain answer)
     * @throws SwarmException when the write could not commit (no quorum, timeout)
     */
    public boolean proveLeadership() {
        String kept = proofNodeId;
        if (kept != null) {
            try {
                Optional<Boolean> proven = proveAs(kept);
                if (proven.isPresent()) {
                    return proven.get();
                }
            } catch (SwarmException e) {
                // a worker, a lost quorum, an engine that left the swarm: answered below as before
            }
            proofNodeId = null;
        }
        SwarmRole role = role();
        if (!role.manager() || !role.leader()) {
            return false;
        }
        boolean proven = proveAs(role.nodeId())
                .orElseThrow(() -> new SwarmException("this node " + role.nodeId() + " is not in the node list"));
        proofNodeId = role.nodeId();
        return proven;
    }

    /** Tests: make the kept node id stale, as after the engine left and re-joined the swarm. */
    void keepProofNodeId(String nodeId) {
        proofNodeId = nodeId;
    }

    /** The proof as node {@code nodeId}: empty when there is no such node. */
    private Optional<Boolean> proveAs(String nodeId) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<com.fasterxml.jackson.databind.JsonNode> read = raw.get("/nodes/" + RawSwarmApi.segment(nodeId));
            if (read.isEmpty()) {
                return Optional.empty();
            }
            com.fasterxml.jackson.databind.JsonNode node = read.get();
            if (!node.path("ManagerStatus").path("Leader").asBoolean(false)) {
                return Optional.of(false);
            }
            long version = RawSwarmApi.version(node);
            RawSwarmApi.Reply reply = raw.post("/nodes/" + RawSwarmApi.segment(nodeId) + "/update?version=" + version,
                    RawSwarmApi.specCopy(node));
            if (reply.ok()) {
                return Optional.of(true);
            }
            if (reply.message() == null || !reply.message().toLowerCase(Locale.ROOT).contains("out of sequence")) {
                throw new SwarmException("leadership proof write failed with " + reply.status() + ": " + reply.message());
            }
            // someone else updated the node in between (a label change): read again and retry
        }
        throw new SwarmException("leadership proof write kept racing with other node updates");
    }

    /**
     * Sets ({@code value} non-null) or removes one label of a node's spec, as a compare-and-swap on the node's
     * version (re-read and retried when another node update came in between); the rest of the spec is written
     * back as read. Committed by a Raft quorum when this returns.
     */
    public void setNodeLabel(String nodeId, String key, String value) {
        String path = "/nodes/" + RawSwarmApi.segment(nodeId);
        for (int attempt = 0; attempt < 3; attempt++) {
            com.fasterxml.jackson.databind.JsonNode node = raw.get(path)
                    .orElseThrow(() -> new SwarmException("node " + nodeId + " is not in the node list"));
            com.fasterxml.jackson.databind.node.ObjectNode spec = RawSwarmApi.specCopy(node);
            com.fasterxml.jackson.databind.JsonNode labels = spec.get("Labels");
            com.fasterxml.jackson.databind.node.ObjectNode l = labels != null && labels.isObject()
                    ? (com.fasterxml.jackson.databind.node.ObjectNode) labels : spec.putObject("Labels");
            if (value == null ? !l.has(key) : value.equals(l.path(key).asText(null))) {
                return;
            }
            if (value == null) {
                l.remove(key);
            } else {
                l.put(key, value);
            }
            RawSwarmApi.Reply reply = raw.post(path + "/update?version=" + RawSwarmApi.version(node), spec);
            if (reply.ok()) {
                return;
            }
            if (reply.message() == null || !reply.message().toLowerCase(Locale.ROOT).contains("out of sequence")) {
                throw new SwarmException("label update of node " + nodeId + " failed with " + reply.status() + ": " + reply.message());
            }
        }
        throw new SwarmException("label update of node " + nodeId + " kept racing with other node updates");
    }

    /** Swarm's store answers a write against an old version with "update out of sequence". */
    static boolean isOutOfSequence(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.toLowerCase(Locale.ROOT).contains("out of sequence")) {
                return true;
            }
        }
        return false;
    }

    /** The tasks of a service, newest first by slot then id; states are lower-case Swarm names. */
    public List<TaskInfo> tasks(String serviceId) {
        try {
            List<Task> tasks = docker.listTasksCmd().withServiceFilter(serviceId).exec();
            return tasks.stream().map(SwarmAdapter::toTaskInfo)
                    .filter(t -> serviceId.equals(t.serviceId()))
                    .sorted(Comparator.comparing(TaskInfo::id))
                    .toList();
        } catch (DockerException e) {
            throw new SwarmException("cannot list the tasks of service " + serviceId + ": " + e.getMessage(), e);
        }
    }

    /** The raw tasks of a service (for adapters that need fields {@link TaskInfo} does not carry). */
    List<Task> taskList(String serviceId) {
        try {
            return docker.listTasksCmd().withServiceFilter(serviceId).exec().stream()
                    .filter(t -> serviceId.equals(t.getServiceId())).toList();
        } catch (DockerException e) {
            throw new SwarmException("cannot list the tasks of service " + serviceId + ": " + e.getMessage(), e);
        }
    }

    static TaskInfo toTaskInfo(Task t) {
        String state = t.getStatus() == null || t.getStatus().getState() == null ? "unknown" : t.getStatus().getState().getValue();
        String desired = t.getDesiredState() == null ? "unknown" : t.getDesiredState().getValue();
        String container = t.getStatus() == null || t.getStatus().getContainerStatus() == null ? ""
                : t.getStatus().getContainerStatus().getContainerID();
        return new TaskInfo(t.getId(), t.getServiceId(), t.getNodeId(), t.getSlot() == null ? 0 : t.getSlot(), state, desired, container,
                t.getStatus() == null ? "" : t.getStatus().getMessage(), t.getStatus() == null ? "" : t.getStatus().getErr());
    }
}
