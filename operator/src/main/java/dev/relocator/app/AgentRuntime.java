package dev.relocator.app;

import dev.relocator.core.agent.Agent;
import dev.relocator.core.events.EventSink;
import dev.relocator.core.lease.PeerMajority;
import dev.relocator.core.ports.Clock;
import dev.relocator.core.ports.ControllerLink;
import dev.relocator.core.ports.PeerLink;
import dev.relocator.core.protocol.AgentCommand;
import dev.relocator.core.protocol.Heartbeat;
import dev.relocator.core.protocol.HeartbeatAck;
import dev.relocator.core.protocol.PeerMessage;
import dev.relocator.docker.DockerClients;
import dev.relocator.docker.node.LocalDockerAdapter;
import dev.relocator.docker.node.LocalNodeOperations;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The node agent of this instance: the core {@link Agent} on one loop thread (the core is not
 * thread-safe), ticking every {@code relocator.lease.tick}. Acks, commands and peer messages
 * arrive on HTTP threads and are handed to the loop; nothing else touches the agent.
 */
@ApplicationScoped
public class AgentRuntime {

    private static final Logger LOG = Logger.getLogger(AgentRuntime.class);

    @Inject
    RelocatorConfig config;
    @Inject
    SwarmRoleMonitor roles;
    @Inject
    Directory directory;
    @Inject
    InternalClient client;
    @Inject
    DockerClients clients;
    @Inject
    @Fast
    DockerClients fast;
    @Inject
    Instance<EventSink> sinks;
    @Inject
    MeterRegistry registry;

    private ScheduledExecutorService loop;
    private volatile Agent agent;
    private volatile LocalDockerAdapter docker;
    private Counter renewals;
    private Counter failures;

    void start(@Observes StartupEvent event) {
        if (!config.agent().enabled()) {
            LOG.info("agent disabled (relocator.agent.enabled=false)");
            return;
        }
        renewals = Counter.builder("relocator.lease.renewals").description("heartbeats acknowledged by an acting controller").register(registry);
        failures = Counter.builder("relocator.lease.failures").description("heartbeats no controller acknowledged").register(registry);
        loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relocator-agent");
            t.setDaemon(true);
            return t;
        });
        loop.scheduleWithFixedDelay(this::tick, 0, config.lease().tick().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Runs after the controller's hand-over ({@code ControllerRuntime.handOver}, priority 1) and before the
     * controller's shutdown: on the leader's node the hand-over is granted by this very instance's controller.
     */
    void stop(@Observes @Priority(2) ShutdownEvent event) {
        if (loop == null) {
            return;
        }
        try {
            if (!handoverTried.getAndSet(true)) {
                handOver();
            }
        } finally {
            loop.shutdownNow();
            if (docker != null) {
                docker.close();
            }
        }
    }

    /** In the pre-shutdown phase, while this instance (and, on the leader's node, its controller) still serves HTTP. */
    void handOverEarly(@Observes @Priority(2) io.quarkus.runtime.ShutdownDelayInitiatedEvent event) {
        if (loop != null && !handoverTried.getAndSet(true)) {
            handOver();
        }
    }

    private final AtomicBoolean handoverTried = new AtomicBoolean();

    /**
     * Asks for the hand-over extension and waits (bounded) for the grant: the next instance on this node resumes
     * from the lease file, and the extension keeps the node's writers alive until it does. Without a grant the
     * lease is what it was: the writers live as long as a plain lease and the controller relocates them when it
     * expires.
     */
    private void handOver() {
        java.time.Duration extension = config.agent().handoverExtension();
        if (agent == null || extension.isZero() || extension.isNegative()) {
            LOG.infof("stopping without a lease hand-over (relocator.agent.handover-extension=%s)", extension);
            return;
        }
        long deadline = System.nanoTime() + config.agent().handoverTimeout().toNanos();
        try {
            if (!onLoopNow(a -> a.requestHandover(extension), deadline)) {
                LOG.info("stopping without a lease hand-over: this node holds no valid lease");
                return;
            }
            while (System.nanoTime() - deadline < 0) {
                if (onLoopNow(Agent::handedOver, deadline)) {
                    LOG.infof("lease handed over: extended by %s for the next instance on this node", extension);
                    return;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        } catch (java.util.concurrent.TimeoutException e) {
            // fall through
        } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
            LOG.warnf("lease hand-over failed: %s", e.toString());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        LOG.warnf("stopping without a lease hand-over: no controller granted it within %s", config.agent().handoverTimeout());
    }

    private <T> T onLoopNow(java.util.function.Function<Agent, T> f, long deadline)
            throws InterruptedException, java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
        java.util.concurrent.CompletableFuture<T> r = new java.util.concurrent.CompletableFuture<>();
        loop.execute(() -> {
            try {
                r.complete(f.apply(agent));
            } catch (RuntimeException e) {
                r.completeExceptionally(e);
            }
        });
        return r.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void tick() {
        try {
            if (agent == null) {
                String node = roles.role().nodeId();
                if (node.isEmpty()) {
                    return; // not in a swarm (yet): there is no lease to hold
                }
                agent = build(node);
                LOG.infof("agent started on node %s", node);
            }
            agent.tick();
        } catch (RuntimeException e) {
            LOG.error("agent tick failed; the next tick retries", e);
        }
    }

    private Agent build(String node) {
        // never reused on this node: the wall clock in microseconds at start
        Instant now = Instant.now();
        long incarnation = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        docker = new LocalDockerAdapter(fast.requests(), new LocalNodeOperations(fast.requests()),
                new LocalNodeOperations(clients.requests()), config.agent().helperImage(), config.agent().helperTimeout(),
                config.agent().prepareConcurrency());
        EventSink sink = sinks.isResolvable() ? sinks.get() : EventSink.NONE;
        return new Agent(node, incarnation, Timings.lease(config), PeerMajority.DEFAULT, Clock.SYSTEM,
                new HttpControllerLink(), new HttpPeerLink(node), docker, new FileLeaseFile(Path.of(config.agent().leaseFile())), sink);
    }

    /** Runs {@code action} on the agent's loop; dropped before the agent exists (nothing to apply it to). */
    private void onLoop(Consumer<Agent> action) {
        if (loop == null) {
            return;
        }
        loop.execute(() -> {
            Agent a = agent;
            if (a != null) {
                try {
                    action.accept(a);
                } catch (RuntimeException e) {
                    LOG.warnf("agent message failed: %s", e.toString());
                }
            }
        });
    }

    public boolean running() {
        return agent != null;
    }

    public void onCommand(AgentCommand command) {
        onLoop(a -> a.onCommand(command));
    }

    public void onPeerMessage(PeerMessage message) {
        onLoop(a -> a.onPeerMessage(message));
    }

    /** Heartbeats go to every manager; only an acting controller answers with an ack. */
    private final class HttpControllerLink implements ControllerLink {
        /** Silence longer than this is logged once (and its end once): the first thing to know when nothing moves. */
        private static final long UNACKED_WARN_NANOS = TimeUnit.SECONDS.toNanos(5);
        private final java.util.Map<String, String> lastErrors = new java.util.HashMap<>();
        private final java.util.Map<String, Object> lastReports = new java.util.HashMap<>();
        private final java.util.concurrent.atomic.AtomicLong lastAck = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        private final AtomicBoolean unackedWarned = new AtomicBoolean();

        private void unacknowledged(List<String> managers) {
            long silent = System.nanoTime() - lastAck.get();
            if (silent > UNACKED_WARN_NANOS && unackedWarned.compareAndSet(false, true)) {
                LOG.warnf("no acting controller has acknowledged this agent's heartbeats for %d s (manager addresses tried: %s);"
                        + " relocations onto this node wait until one does: check the overlay network between this node and the managers",
                        TimeUnit.NANOSECONDS.toSeconds(silent), managers.isEmpty() ? "none known yet" : managers);
            }
        }

        private void acknowledged(String manager) {
            long silent = System.nanoTime() - lastAck.getAndSet(System.nanoTime());
            if (unackedWarned.compareAndSet(true, false)) {
                LOG.infof("heartbeats acknowledged again (by %s) after %d s", manager, TimeUnit.NANOSECONDS.toSeconds(silent));
            }
        }

        @Override
        public void send(Heartbeat heartbeat) {
            // the agent's command errors travel in its reports; log each one once, when it changes
            heartbeat.volumes().forEach((volume, report) -> {
                if (!report.equals(lastReports.put(volume, report))) {
                    LOG.debugf("volume report: %s", report);
                }
                String previous = lastErrors.put(volume, report.error());
                if (!report.error().isEmpty() && !report.error().equals(previous)) {
                    LOG.warnf("volume %s on this node: %s", volume, report.error());
                }
            });
            List<String> managers = directory.managerAddresses();
            if (managers.isEmpty()) {
                failures.increment();
                unacknowledged(managers);
                return;
            }
            AtomicInteger outstanding = new AtomicInteger(managers.size());
            AtomicBoolean acked = new AtomicBoolean();
            for (String manager : managers) {
                client.post(manager, "/internal/v1/heartbeats", heartbeat).handle((resp, error) -> {
                    try {
                        if (error == null && resp.statusCode() == 200) {
                            HeartbeatAck ack = client.read(resp.body(), HeartbeatAck.class);
                            acked.set(true);
                            if (ack.extensionNanos() > 0) {
                                LOG.infof("lease extended by %d ms by controller %s (hand-over)", ack.extensionNanos() / 1_000_000, ack.controller());
                            }
                            renewals.increment();
                            acknowledged(manager);
                            onLoop(a -> a.onAck(ack));
                        }
                    } catch (RuntimeException e) {
                        LOG.warnf("unreadable heartbeat ack from %s: %s", manager, e.getMessage());
                    } finally {
                        if (outstanding.decrementAndGet() == 0 && !acked.get()) {
                            failures.increment();
                            unacknowledged(managers);
                        }
                    }
                    return null;
                });
            }
        }
    }

    private final class HttpPeerLink implements PeerLink {
        private final String self;

        HttpPeerLink(String self) {
            this.self = self;
        }

        @Override
        public Set<String> peers() {
            return directory.peers(self);
        }

        @Override
        public void send(String peer, PeerMessage message) {
            directory.address(peer).ifPresent(address ->
                    client.post(address, "/internal/v1/agent/peer", Messages.Peer.of(message)).exceptionally(e -> null));
        }
    }
}
