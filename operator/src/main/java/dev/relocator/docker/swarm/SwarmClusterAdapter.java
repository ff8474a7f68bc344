package dev.relocator.docker.swarm;

import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Task;
import dev.relocator.core.model.NodeInfo.Availability;
import dev.relocator.core.model.NodeInfo.SwarmState;
import dev.relocator.core.model.ServiceUpdate;
import dev.relocator.core.model.ServiceView;
import dev.relocator.core.model.TaskView;
import dev.relocator.core.ports.ClusterUnavailableException;
import dev.relocator.core.ports.StaleVersionException;
import dev.relocator.core.ports.SwarmCluster;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The core's {@link SwarmCluster} over the local manager's Docker API. Every Docker or
 * transport failure becomes {@link ClusterUnavailableException}: the controller then knows
 * nothing and does nothing until the next try.
 */
public final class SwarmClusterAdapter implements SwarmCluster {

    private final SwarmAdapter swarm;
    private final SwarmAdapter leadershipWrites;
    private final Optional<String> operatorService;

    /**
     * @param swarm            for reads and service updates
     * @param leadershipWrites for the quorum write that proves leadership; give it a client with
     *                         a short response timeout, so a manager without quorum answers
     *                         "unavailable" within the controller's leader lease
     */
    public SwarmClusterAdapter(SwarmAdapter swarm, SwarmAdapter leadershipWrites) {
        this(swarm, leadershipWrites, Optional.empty());
    }

    /**
     * @param operatorService the Swarm service the operator itself runs as: a lease hand-over is then recorded
     *                        only while an update of that service is rolling ({@link #handoverRefusal})
     */
    public SwarmClusterAdapter(SwarmAdapter swarm, SwarmAdapter leadershipWrites, Optional<String> operatorService) {
        this.swarm = Objects.requireNonNull(swarm, "swarm");
        this.leadershipWrites = Objects.requireNonNull(leadershipWrites, "leadershipWrites");
        this.operatorService = Objects.requireNonNull(operatorService, "operatorService");
    }

    @Override
    public List<dev.relocator.core.model.NodeInfo> nodes() {
        return unavailableOnError("list nodes", () -> swarm.nodes().stream().map(SwarmClusterAdapter::toCore).toList());
    }

    static dev.relocator.core.model.NodeInfo toCore(NodeInfo n) {
        Availability availability = switch (n.availability()) {
            case "pause" -> Availability.PAUSE;
            case "drain" -> Availability.DRAIN;
            default -> Availability.ACTIVE;
        };
        SwarmState state = switch (n.state()) {
            case "ready" -> SwarmState.READY;
            // "disconnected": the manager lost the node's session; for the core it is down, as a second signal only
            case "down", "disconnected" -> SwarmState.DOWN;
            default -> SwarmState.UNKNOWN;
        };
        return new dev.relocator.core.model.NodeInfo(n.id(), n.hostname(), n.manager(), availability, state, n.labels(), n.leader());
    }

    @Override
    public Optional<ServiceView> service(String name) {
        return unavailableOnError("read service " + name, () -> swarm.service(name).map(s -> {
            if (s.replicas().isEmpty()) {
                throw new IllegalStateException("service " + name + " is not a replicated service; a relocatable workload"
                        + " must be created with --replicas 1 (global services cannot follow a volume)");
            }
            List<TaskView> tasks = swarm.taskList(s.id()).stream().map(SwarmClusterAdapter::toCore).toList();
            return new ServiceView(s.id(), s.name(), s.version(), s.labels(), s.constraints(),
                    (int) Math.min(Integer.MAX_VALUE, s.replicas().get()), tasks);
        }));
    }

    static TaskView toCore(Task t) {
        TaskInfo info = SwarmAdapter.toTaskInfo(t);
        TaskView.TaskState state = switch (info.state()) {
            case "new", "allocated", "pending" -> TaskView.TaskState.PENDING;
            case "assigned", "accepted", "preparing", "ready" -> TaskView.TaskState.ASSIGNED;
            case "starting" -> TaskView.TaskState.STARTING;
            case "running" -> TaskView.TaskState.RUNNING;
            case "complete" -> TaskView.TaskState.COMPLETE;
            case "failed" -> TaskView.TaskState.FAILED;
            case "rejected" -> TaskView.TaskState.REJECTED;
            default -> TaskView.TaskState.SHUTDOWN;
        };
        String error = info.error().isEmpty() ? "" : info.error();
        return new TaskView(info.id(), info.nodeId().isEmpty() ? null : info.nodeId(), state, error,
                timestamp(t.getStatus() == null ? null : t.getStatus().getTimestamp()));
    }

    static Instant timestamp(String raw) {
        if (raw == null || raw.isBlank()) {
            return Instant.EPOCH;
        }
        try {
            return OffsetDateTime.parse(raw).toInstant();
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    @Override
    public long update(String service, long expectedVersion, ServiceUpdate update) throws StaleVersionException {
        try {
            return swarm.update(service, expectedVersion, spec -> {
                RawSpecs.replaceRelocatorLabels(spec, update.labels());
                RawSpecs.setConstraints(spec, update.constraints());
                RawSpecs.setReplicas(spec, update.replicas());
            });
        } catch (dev.relocator.docker.swarm.StaleVersionException e) {
            long actual = swarm.service(service).map(ServiceSnapshot::version).orElse(-1L);
            throw new StaleVersionException(service, expectedVersion, actual);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (SwarmException | DockerException e) {
            throw new ClusterUnavailableException("update of service " + service + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ClusterUnavailableException("update of service " + service + " failed: " + e, e);
        }
    }

    @Override
    public void recordHandover(String node, long extensionMillis) {
        if (extensionMillis > 0 && operatorService.isPresent()) {
            String service = operatorService.get();
            Optional<String> refusal = handoverRefusal(service,
                    unavailableOnError("inspect the operator's service " + service, () -> swarm.updateState(service)));
            if (refusal.isPresent()) {
                throw new ClusterUnavailableException(refusal.get());
            }
        }
        unavailableOnError("record the hand-over of node " + node, () -> {
            swarm.setNodeLabel(node, dev.relocator.core.controller.Controller.HANDOVER_LABEL,
                    extensionMillis > 0 ? Long.toString(extensionMillis) : null);
            return null;
        });
    }

    /**
     * Why a stopping instance of the operator gets no lease extension now; empty when it may get one.
     * The extension exists for an update of the operator (the next instance starts while the writers run
     * on the lease file). Swarm also stops and replaces the operator's task on its own — after the node
     * returns from a partition or a restart, on a failed health check — and there the next instance is
     * already running or the node is suspect: an extension would only delay the next failover of that node
     * by up to a minute (measured: docs/benchmarks.md §4.1). Refusing is always safe: the lease stays what
     * it was.
     *
     * @param updateState the service's update state ({@code updating}, {@code completed}, ... or
     *                    {@code none} if it was never updated); empty when no such service exists (the
     *                    operator does not run as that service: nothing to tell an update from, the
     *                    extension is granted as asked)
     */
    static Optional<String> handoverRefusal(String service, Optional<String> updateState) {
        if (updateState.isEmpty()) {
            return Optional.empty();
        }
        String state = updateState.get();
        if (state.equals("updating") || state.equals("rollback_started")) {
            return Optional.empty();
        }
        return Optional.of("no update of the operator's service " + service + " is rolling (its update state is " + state
                + "): an instance that stops outside an update (Swarm replacing its task after the node came back,"
                + " docker stop, a failed health check) gets no lease extension, so the next failover of its node is not"
                + " delayed; its writers keep running if the next instance renews within the lease");
    }

    @Override
    public boolean confirmLeadership() {
        return unavailableOnError("prove leadership", leadershipWrites::proveLeadership);
    }

    private static <T> T unavailableOnError(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw e;
        } catch (SwarmException | DockerException e) {
            throw new ClusterUnavailableException("cannot " + what + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // transport errors (socket timeouts, refused connections) surface as bare runtime exceptions
            throw new ClusterUnavailableException("cannot " + what + ": " + e, e);
        }
    }
}
