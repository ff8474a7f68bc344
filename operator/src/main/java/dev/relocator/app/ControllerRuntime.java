package dev.relocator.app;

import dev.relocator.core.controller.Controller;
import dev.relocator.core.controller.ReconcileResult;
import dev.relocator.core.events.EventSink;
import dev.relocator.core.model.VolumeSpec;
import dev.relocator.core.ports.AgentCommands;
import dev.relocator.core.ports.Clock;
import dev.relocator.core.ports.ExternalFence;
import dev.relocator.core.protocol.AgentCommand;
import dev.relocator.core.protocol.Heartbeat;
import dev.relocator.core.protocol.HeartbeatAck;
import dev.relocator.docker.DockerClients;
import dev.relocator.docker.events.ObjectKind;
import dev.relocator.docker.events.ObjectRef;
import dev.relocator.docker.swarm.ServiceLabelSpecSource;
import dev.relocator.docker.swarm.SwarmAdapter;
import dev.relocator.docker.swarm.SwarmClusterAdapter;
import dev.relocator.docker.swarm.SwarmRole;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The controller of this instance. Runs in every manager's instance but acts only while the
 * core {@link Controller} can prove, with a quorum write, that it runs on the Swarm leader;
 * Swarm's own leadership is the election. A role change reported by {@link SwarmRoleMonitor}
 * triggers a proof at once, so a deposed controller stops acting within one role check. All
 * calls into the core happen on one loop thread.
 */
@ApplicationScoped
public class ControllerRuntime {

    private static final Logger LOG = Logger.getLogger(ControllerRuntime.class);
    private static final long LOOP_MILLIS = 50;

    @Inject
    RelocatorConfig config;
    @Inject
    SwarmRoleMonitor roles;
    @Inject
    SwarmAdapter swarm;
    @Inject
    DockerClients clients;
    @Inject
    @Fast
    DockerClients fast;
    @Inject
    Directory directory;
    @Inject
    InternalClient client;
    @Inject
    EventFanOut fanOut;
    @Inject
    Instance<EventSink> sinks;
    @Inject
    MeterRegistry registry;

    private ScheduledExecutorService loop;
    private Controller controller;
    private ServiceLabelSpecSource specSource;
    private volatile boolean acting;
    private long nextLeadershipAt;
    private long nextSpecRefreshAt;
    private final Map<String, Long> due = new HashMap<>();
    private final Map<String, String> serviceOf = new HashMap<>();
    private Counter reconciles;
    private Counter reconcileErrors;

    void start(@Observes StartupEvent event) {
        if (!config.controller().enabled()) {
            LOG.info("controller disabled (relocator.controller.enabled=false)");
            return;
        }
        reconciles = Counter.builder("relocator.controller.reconciles").register(registry);
        reconcileErrors = Counter.builder("relocator.controller.reconcile.errors").register(registry);
        Gauge.builder("relocator.controller.acting", this, c -> c.acting ? 1 : 0)
                .description("1 while this instance's controller may act (proven Swarm leader)").register(registry);
        specSource = new ServiceLabelSpecSource(clients.requests());
        loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relocator-controller");
            t.setDaemon(true);
            return t;
        });
        fanOut.onClusterHint(ref -> loop.execute(() -> hint(ref)));
        roles.onChange(role -> loop.execute(() -> {
            nextLeadershipAt = System.nanoTime();
            if (!role.leader() && acting) {
                LOG.info("Swarm says this node is no longer the leader: proving leadership now");
            }
        }));
        loop.scheduleWithFixedDelay(this::tick, 0, LOOP_MILLIS, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.shutdownNow();
        }
    }

    private void tick() {
        try {
            SwarmRole role = roles.role();
            if (controller == null) {
                if (role.nodeId().isEmpty() || !role.manager()) {
                    return; // workers never run a controller
                }
                controller = build(role.nodeId());
            }
            long now = System.nanoTime();
            if (now - nextLeadershipAt >= 0) {
                nextLeadershipAt = now + config.controller().leaderLease().toNanos() / 4;
                boolean was = acting;
                acting = controller.leadershipTick();
                if (acting && !was) {
                    LOG.infof("controller %s is acting (proven Swarm leader)", controller.id());
                    nextSpecRefreshAt = now;
                } else if (!acting && was) {
                    LOG.infof("controller %s stopped acting", controller.id());
                }
            }
            if (!acting) {
                return;
            }
            if (now - nextSpecRefreshAt >= 0) {
                nextSpecRefreshAt = now + config.controller().specRefresh().toNanos();
                refreshSpecs(now);
            }
            for (Map.Entry<String, Long> e : new HashMap<>(due).entrySet()) {
                if (now - e.getValue() >= 0 && controller.acting()) {
                    reconcile(e.getKey());
                }
            }
        } catch (RuntimeException e) {
            LOG.error("controller loop failed; the next pass retries", e);
        }
    }

    private Controller build(String node) {
        Instant now = Instant.now();
        String id = node + "/" + (now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000);
        SwarmClusterAdapter cluster = new SwarmClusterAdapter(swarm, new SwarmAdapter(fast.requests()));
        EventSink sink = sinks.isResolvable() ? sinks.get() : EventSink.NONE;
        LOG.infof("controller %s created on manager %s", id, node);
        return new Controller(id, Timings.controller(config), Clock.SYSTEM, new CountingSwarmCluster(cluster, registry),
                new HttpAgentCommands(), ExternalFence.NONE, sink);
    }

    private void refreshSpecs(long now) {
        ServiceLabelSpecSource.Result result;
        try {
            result = specSource.list();
        } catch (RuntimeException e) {
            LOG.warnf("cannot list RelocatableVolume specs: %s", e.getMessage());
            return;
        }
        result.rejected().forEach((service, why) -> LOG.warnf("service %s opts in but is rejected: %s", service, why));
        Set<String> seen = new HashSet<>();
        for (VolumeSpec spec : result.specs()) {
            seen.add(spec.name());
            try {
                controller.register(spec);
                serviceOf.put(spec.name(), spec.service());
                due.putIfAbsent(spec.name(), now);
            } catch (IllegalArgumentException e) {
                LOG.warnf("RelocatableVolume %s rejected: %s", spec.name(), e.getMessage());
            }
        }
        for (String gone : new HashSet<>(due.keySet())) {
            if (!seen.contains(gone)) {
                controller.unregister(gone);
                due.remove(gone);
                serviceOf.remove(gone);
            }
        }
    }

    private void reconcile(String name) {
        try {
            ReconcileResult r = controller.reconcile(name);
            reconciles.increment();
            due.put(name, System.nanoTime() + r.requeueAfter().toNanos());
        } catch (RuntimeException e) {
            reconcileErrors.increment();
            LOG.warnf("reconcile of %s failed: %s", name, e.toString());
            due.put(name, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        }
    }

    /** Service and node events and resyncs make the matching volumes due now (level-triggered: no payload). */
    private void hint(ObjectRef ref) {
        long now = System.nanoTime();
        if (ref.kind() == ObjectKind.SERVICE) {
            serviceOf.forEach((name, service) -> due.computeIfPresent(name, (k, v) -> now));
        } else {
            due.replaceAll((k, v) -> now);
        }
    }

    /** Answers a heartbeat on the loop: the ack (when acting) or nothing. */
    public CompletableFuture<Optional<HeartbeatAck>> onHeartbeat(Heartbeat heartbeat, String remoteAddress) {
        if (loop == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        directory.learnAgent(heartbeat.node(), remoteAddress);
        CompletableFuture<Optional<HeartbeatAck>> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(controller == null ? Optional.empty() : controller.onHeartbeat(heartbeat));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    public boolean acting() {
        return acting;
    }

    /** Commands are fire-and-forget: a lost one is re-sent by the next reconcile. */
    private final class HttpAgentCommands implements AgentCommands {
        @Override
        public void send(String node, AgentCommand command) {
            Optional<String> address = directory.address(node);
            if (address.isEmpty()) {
                LOG.debugf("no address known for node %s yet; %s is re-sent on the next reconcile", node, command);
                return;
            }
            client.post(address.get(), "/internal/v1/agent/commands", Messages.Command.of(command)).exceptionally(e -> null);
        }
    }
}
