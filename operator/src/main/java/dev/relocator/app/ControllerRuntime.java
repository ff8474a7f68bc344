package dev.relocator.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.app.fence.FenceHooks;
import dev.relocator.app.resources.ResourceSync;
import dev.relocator.app.resources.SpecMapper;
import dev.relocator.app.resources.StatusBuilder;
import dev.relocator.core.controller.Controller;
import dev.relocator.core.controller.ReconcileResult;
import dev.relocator.core.events.EventSink;
import dev.relocator.core.model.VolumeSpec;
import dev.relocator.core.model.VolumeStatus;
import dev.relocator.crd.model.Spec;
import dev.relocator.store.ResourceKind;
import dev.relocator.store.ResourceStore;
import dev.relocator.core.ports.AgentCommands;
import dev.relocator.core.ports.Clock;
import dev.relocator.core.ports.ExternalFence;
import dev.relocator.core.protocol.AgentCommand;
import dev.relocator.core.protocol.Heartbeat;
import dev.relocator.core.protocol.HeartbeatAck;
import dev.relocator.docker.DockerClients;
import dev.relocator.docker.events.ObjectKind;
import dev.relocator.docker.events.ObjectRef;
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

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.nio.file.Path;
import java.util.List;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The controller of this instance. Runs in every manager's instance but acts only while the
 * core {@link Controller} can prove, with a quorum write, that it runs on the Swarm leader;
 * Swarm's own leadership is the election. A role change reported by {@link SwarmRoleMonitor}
 * triggers a proof at once, so a deposed controller stops acting within one role check. All
 * calls into the core happen on one loop thread, which sleeps until the next thing is due (a
 * leadership proof, a reconcile's requeue, the spec refresh) or a hint wakes it (a service or node
 * event, a role change, a store change): no fixed polling period.
 *
 * <p>Specs come from the {@link ResourceStore} (RelocatableVolumes created through the API) and
 * from services labelled {@code relocator.dev/volume} ({@link ResourceSync}); the RelocatorConfig's
 * maintenance and fence hooks are applied from the same read. Store I/O (reads, status writes)
 * runs on its own thread, never on the loop.
 */
@ApplicationScoped
public class ControllerRuntime {

    private static final Logger LOG = Logger.getLogger(ControllerRuntime.class);
    /** Status writes per volume are at most this frequent; the latest status wins. */
    private static final long STATUS_MIN_INTERVAL_MILLIS = 250;
    /** Store changes that arrive together are read once. */
    private static final long WATCH_DEBOUNCE_MILLIS = 100;
    /** Service and node events within this window make one reconcile pass. */
    private static final long HINT_COALESCE_MILLIS = 50;

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
    @Inject
    ResourceStore store;

    private ScheduledExecutorService loop;
    private ScheduledExecutorService io;
    private Controller controller;
    private ResourceSync sync;
    private FenceHooks fenceHooks;
    private SwarmClusterAdapter ioCluster;
    private volatile boolean acting;
    private long nextLeadershipAt;
    private long nextSpecRefreshAt;
    private ScheduledFuture<?> wake;
    private long wakeAt;
    private final Map<String, Long> due = new HashMap<>();
    private final Map<String, String> serviceOf = new HashMap<>();
    /** Specs registered with the controller: name → the entry it runs with (the last valid one). */
    private final Map<String, ResourceSync.Entry> running = new HashMap<>();
    /** Stored resources that cannot be applied, with why. */
    private final Map<String, SpecMapper.Invalid> invalid = new HashMap<>();
    /** Watch keys (generation, annotations, delete mark) of stored resources as last read. */
    private final Map<String, String> seenKeys = new ConcurrentHashMap<>();
    /** Status last queued per stored resource (loop writes, io clears on a failed write). */
    private final Map<String, ObjectNode> lastQueued = new ConcurrentHashMap<>();
    private final Map<String, PendingStatus> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final AtomicBoolean syncScheduled = new AtomicBoolean();
    private volatile long lastFlushNanos;
    private final List<AutoCloseable> watches = new ArrayList<>();
    private Counter reconciles;
    private Counter reconcileErrors;
    private Counter statusWrites;

    private record PendingStatus(ObjectNode status, SpecMapper.Invalid invalid, Long runningGeneration,
                                 dev.relocator.core.model.VolumeState state) {
    }

    void start(@Observes StartupEvent event) {
        if (!config.controller().enabled()) {
            LOG.info("controller disabled (relocator.controller.enabled=false)");
            return;
        }
        reconciles = Counter.builder("relocator.controller.reconciles").register(registry);
        reconcileErrors = Counter.builder("relocator.controller.reconcile.errors").register(registry);
        statusWrites = Counter.builder("relocator.controller.status.writes")
                .description("status writes to stored RelocatableVolumes (only when the status changed)").register(registry);
        Gauge.builder("relocator.controller.acting", this, c -> c.acting ? 1 : 0)
                .description("1 while this instance's controller may act (proven Swarm leader)").register(registry);
        sync = new ResourceSync(store);
        fenceHooks = new FenceHooks(config.fence().threads(), config.fence().webhookTokenFile().filter(f -> !f.isBlank()).map(Path::of),
                java.time.Clock.systemUTC(), registry);
        ioCluster = new SwarmClusterAdapter(swarm, new SwarmAdapter(fast.requests()), operatorService());
        io = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relocator-resources");
            t.setDaemon(true);
            return t;
        });
        java.util.concurrent.ScheduledThreadPoolExecutor l = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "relocator-controller");
            t.setDaemon(true);
            return t;
        });
        l.setRemoveOnCancelPolicy(true); // a wake-up moved earlier must not leave the later one queued
        loop = l;
        fanOut.onClusterHint(ref -> onLoop(() -> {
            hint(ref);
            scheduleNext();
        }));
        roles.onChange(role -> onLoop(() -> {
            nextLeadershipAt = System.nanoTime();
            if (!role.leader() && acting) {
                LOG.info("Swarm says this node is no longer the leader: proving leadership now");
            }
            runTick();
        }));
        loop.execute(this::runTick);
    }

    /**
     * First thing on shutdown (before this instance's agent hands over, {@code @Priority(1)}): while the controller
     * is replaced no agent gets an ack, for longer than a lease. The acting controller records an extension for
     * every node and grants it with every ack for two heartbeats, so every agent rides over the restart (see
     * {@link Controller#beginHandover}); the loop keeps answering until {@link #stop}.
     */
    void handOverEarly(@Observes @jakarta.annotation.Priority(1) io.quarkus.runtime.ShutdownDelayInitiatedEvent event) {
        handOver();
    }

    /** Without the pre-shutdown phase (quarkus.shutdown.delay-enabled=false) this is the last chance, though HTTP may be gone. */
    void handOver(@Observes @jakarta.annotation.Priority(1) ShutdownEvent event) {
        handOver();
    }

    private final java.util.concurrent.atomic.AtomicBoolean handedOver = new java.util.concurrent.atomic.AtomicBoolean();

    private void handOver() {
        Duration extension = config.agent().handoverExtension();
        if (loop == null || controller == null || !acting || extension.isZero() || extension.isNegative() || handedOver.getAndSet(true)) {
            return;
        }
        Duration window = config.lease().heartbeat().multipliedBy(2).plusMillis(500);
        java.util.concurrent.CompletableFuture<List<String>> begun = new java.util.concurrent.CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    begun.complete(controller.beginHandover(extension, window));
                } catch (RuntimeException e) {
                    begun.completeExceptionally(e);
                }
            });
            List<String> nodes = begun.get(5, java.util.concurrent.TimeUnit.SECONDS);
            if (nodes.isEmpty()) {
                LOG.warn("controller stopping without a hand-over: the extension could not be recorded in Swarm");
                return;
            }
            LOG.infof("controller hand-over: lease of nodes %s extended by up to %s; answering heartbeats for %s", nodes, extension, window);
            java.util.concurrent.locks.LockSupport.parkNanos(window.toNanos());
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            LOG.warnf("controller hand-over failed: %s", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        closeWatchesNow();
        if (loop != null) {
            loop.shutdownNow();
        }
        if (io != null) {
            io.shutdownNow();
        }
        if (fenceHooks != null) {
            fenceHooks.close();
        }
    }

    /** Runs on the loop; dropped once the application shuts down. */
    private void onLoop(Runnable r) {
        try {
            loop.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    private void runTick() {
        if (wake != null && wakeAt - System.nanoTime() <= 0) {
            wake = null; // this is that wake-up (or it is overdue and this pass does its work): plan the next one
        }
        tick();
        scheduleNext();
    }

    /** Sleeps until the earliest due time; a hint or a role change wakes the loop earlier. */
    private void scheduleNext() {
        long now = System.nanoTime();
        long next;
        if (controller == null) {
            next = now + config.controller().roleCheck().toNanos(); // a worker, or the role is not known yet
        } else {
            next = nextLeadershipAt;
            if (acting) {
                next = Math.min(next, nextSpecRefreshAt);
                for (long d : due.values()) {
                    next = Math.min(next, d);
                }
            }
        }
        if (wake != null && !wake.isDone()) {
            if (wakeAt - next <= 0) {
                return;
            }
            wake.cancel(false);
        }
        wakeAt = next;
        try {
            wake = loop.schedule(this::runTick, Math.max(0, next - now), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
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
                    lastQueued.clear();
                    openWatches();
                } else if (!acting && was) {
                    LOG.infof("controller %s stopped acting", controller.id());
                    closeWatches();
                }
            }
            if (!acting) {
                return;
            }
            if (now - nextSpecRefreshAt >= 0) {
                nextSpecRefreshAt = now + config.controller().specRefresh().toNanos();
                requestSync(0);
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

    /** The Swarm service this operator runs as (from its discovery name, {@code tasks.<service>}). */
    private Optional<String> operatorService() {
        return Directory.serviceName(config.controller().discovery().serviceDns());
    }

    private Controller build(String node) {
        Instant now = Instant.now();
        String id = node + "/" + (now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000);
        SwarmClusterAdapter cluster = new SwarmClusterAdapter(swarm, new SwarmAdapter(fast.requests()), operatorService());
        EventSink sink = sinks.isResolvable() ? sinks.get() : EventSink.NONE;
        LOG.infof("controller %s created on manager %s", id, node);
        return new Controller(id, Timings.controller(config), Clock.SYSTEM, new CountingSwarmCluster(cluster, registry),
                new HttpAgentCommands(), fenceHooks, sink);
    }

    // ------------------------------------------------------------------ specs (io thread reads, loop applies)

    /**
     * Store changes made on this instance arrive at once, others' with the Docker config or service event that
     * reports them (or the store's resync, should an event be lost); the spec refresh re-reads anyway.
     */
    private void openWatches() {
        io.execute(() -> {
            closeWatchesNow();
            try {
                synchronized (watches) {
                    watches.add(store.watch(ResourceKind.RELOCATABLE_VOLUME, null, ev -> {
                        String name = ev.object().path("metadata").path("name").asText();
                        String key = ev.type() == dev.relocator.store.WatchEvent.Type.DELETED ? "deleted" : ResourceSync.key(ev.object());
                        if (!key.equals(seenKeys.get(name))) {
                            requestSync(WATCH_DEBOUNCE_MILLIS);
                        }
                    }));
                    watches.add(store.watch(ResourceKind.RELOCATOR_CONFIG, null, ev -> requestSync(WATCH_DEBOUNCE_MILLIS)));
                }
            } catch (RuntimeException e) {
                LOG.warnf("cannot watch the resource store (%s); changes are read every %s", e.getMessage(),
                        config.controller().specRefresh());
            }
        });
    }

    private void closeWatches() {
        try {
            io.execute(this::closeWatchesNow);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            closeWatchesNow(); // shutting down
        }
    }

    private void closeWatchesNow() {
        synchronized (watches) {
            for (AutoCloseable w : watches) {
                try {
                    w.close();
                } catch (Exception e) {
                    // already gone
                }
            }
            watches.clear();
        }
    }

    private void requestSync(long delayMillis) {
        if (io == null || !syncScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            io.schedule(this::syncNow, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            syncScheduled.set(false);
        }
    }

    /** On the io thread: read both sources and the nodes, then apply on the loop. */
    private void syncNow() {
        syncScheduled.set(false);
        ResourceSync.Desired d;
        try {
            d = sync.read();
        } catch (RuntimeException e) {
            LOG.warnf("cannot read RelocatableVolume specs (%s); the controller keeps the ones it runs", e.getMessage());
            return;
        } catch (Error e) {
            // a scheduled task's Error ends up in a Future nobody reads: say it, or the controller
            // silently stops learning specs
            LOG.error("reading RelocatableVolume specs failed; the controller keeps the ones it runs", e);
            return;
        }
        seenKeys.keySet().retainAll(d.storedKeys().keySet());
        seenKeys.putAll(d.storedKeys());
        try {
            fenceHooks.nodes(ioCluster.nodes());
        } catch (RuntimeException e) {
            LOG.debugf("cannot list nodes for the fence hooks (%s); the last list stays", e.getMessage());
        }
        onLoop(() -> {
            apply(d);
            scheduleNext();
        });
    }

    /** On the loop: register what changed, unregister what is gone, keep the last valid spec of an invalid one. */
    private void apply(ResourceSync.Desired d) {
        if (controller == null) {
            return;
        }
        long now = System.nanoTime();
        d.config().ifPresent(c -> {
            boolean on = c.spec().maintenance().enabled();
            if (on != controller.maintenance()) {
                LOG.infof("maintenance %s%s", on ? "on" : "off", on && c.spec().maintenance().reason() != null
                        ? ": " + c.spec().maintenance().reason() : "");
            }
            controller.setMaintenance(on, c.spec().maintenance().reason());
            fenceHooks.configHooks(c.spec().fenceHooks());
        });
        for (ResourceSync.Entry e : d.specs().values()) {
            VolumeSpec spec = e.spec();
            ResourceSync.Entry before = running.get(spec.name());
            if (before != null && before.equals(e)) {
                if (invalid.remove(spec.name()) != null) {
                    queueStatus(spec.name()); // back to the spec it runs: the InvalidSpec status goes
                }
                continue;
            }
            try {
                if (before != null && !before.spec().service().equals(spec.service())) {
                    controller.unregister(spec.name()); // another service: the old one's cached state must go
                }
                controller.register(spec);
            } catch (IllegalArgumentException ex) {
                invalid.put(spec.name(), new SpecMapper.Invalid("spec.placement.constraints", ex.getMessage()));
                if (e.stored()) {
                    queueInvalid(spec.name());
                } else {
                    LOG.warnf("RelocatableVolume %s rejected: %s", spec.name(), ex.getMessage());
                }
                continue;
            }
            invalid.remove(spec.name());
            running.put(spec.name(), e);
            serviceOf.put(spec.name(), spec.service());
            due.put(spec.name(), now); // new or changed: look at it now
        }
        invalid.keySet().removeIf(n -> !d.invalid().containsKey(n) && !d.specs().containsKey(n));
        d.invalid().forEach((name, why) -> {
            if (!why.equals(invalid.put(name, why))) {
                LOG.warnf("RelocatableVolume %s cannot be applied: %s", name, why);
            }
            queueInvalid(name);
        });
        for (String gone : new HashSet<>(running.keySet())) {
            if (!d.specs().containsKey(gone) && !d.invalid().containsKey(gone)) {
                controller.unregister(gone);
                running.remove(gone);
                due.remove(gone);
                serviceOf.remove(gone);
                lastQueued.remove(gone);
            }
        }
        Map<String, Spec.Fencing> fencing = new HashMap<>();
        running.values().forEach(e -> {
            if (e.fencing() != null) {
                fencing.put(e.spec().volumeName(), e.fencing());
            }
        });
        fenceHooks.volumes(fencing);
        // a status that differs from what was last queued (written by someone else, or a lost write) is rewritten
        d.storedStatus().forEach((name, current) -> {
            ObjectNode q = lastQueued.get(name);
            if (q != null && StatusBuilder.differs(current, q)) {
                lastQueued.remove(name);
                if (running.containsKey(name)) {
                    queueStatus(name);
                }
            }
        });
    }

    // ------------------------------------------------------------------ status (loop computes, io writes)

    private void queueStatus(String name) {
        ResourceSync.Entry e = running.get(name);
        if (e == null || !e.stored()) {
            return; // label-declared: the service's labels are its status
        }
        SpecMapper.Invalid why = invalid.get(name);
        if (why != null) {
            queueInvalid(name);
            return;
        }
        Optional<VolumeStatus> s = controller.status(name);
        if (s.isEmpty()) {
            return; // not read in this term yet
        }
        ObjectNode status = StatusBuilder.of(s.get(), e.generation(), e.spec().paused());
        ObjectNode before = lastQueued.get(name);
        if (before != null && !StatusBuilder.differs(before, status)) {
            return;
        }
        lastQueued.put(name, status);
        enqueue(name, new PendingStatus(status, null, null, s.get().state()));
    }

    private void queueInvalid(String name) {
        ResourceSync.Entry e = running.get(name);
        SpecMapper.Invalid why = invalid.get(name);
        Optional<VolumeStatus> s = e == null ? Optional.empty() : controller.status(name);
        // the key of an invalid status is its reason: rebuilt by the io thread from the stored status
        ObjectNode marker = JsonNodeMarker.of(why, e == null ? null : e.generation());
        ObjectNode before = lastQueued.get(name);
        if (before != null && before.equals(marker)) {
            return;
        }
        lastQueued.put(name, marker);
        enqueue(name, new PendingStatus(null, why, e == null ? null : e.generation(), s.map(VolumeStatus::state).orElse(null)));
    }

    private void enqueue(String name, PendingStatus p) {
        pending.put(name, p);
        if (flushScheduled.compareAndSet(false, true)) {
            long wait = Math.max(0, lastFlushNanos + TimeUnit.MILLISECONDS.toNanos(STATUS_MIN_INTERVAL_MILLIS) - System.nanoTime());
            try {
                io.schedule(this::flush, wait, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException ex) {
                flushScheduled.set(false);
            }
        }
    }

    /** On the io thread: the latest pending status of each volume, written if it changed. */
    private void flush() {
        flushScheduled.set(false);
        lastFlushNanos = System.nanoTime();
        for (String name : new ArrayList<>(pending.keySet())) {
            PendingStatus p = pending.remove(name);
            if (p == null) {
                continue;
            }
            boolean ok = sync.writeStatus(name, p.status(), p.invalid(), p.runningGeneration(), p.state());
            if (ok) {
                statusWrites.increment();
            } else {
                lastQueued.remove(name); // the next reconcile queues it again
            }
        }
    }

    /** An invalid status is built from the stored one on the io thread; this stands for it in {@link #lastQueued}. */
    private static final class JsonNodeMarker {
        static ObjectNode of(SpecMapper.Invalid why, Long generation) {
            ObjectNode o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            o.put("invalid", String.valueOf(why));
            if (generation != null) {
                o.put("runningGeneration", generation);
            }
            return o;
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
        try {
            queueStatus(name);
        } catch (RuntimeException e) {
            LOG.warnf("status of %s not queued: %s", name, e.toString());
        }
    }

    /** Service and node events and resyncs make the matching volumes due now (level-triggered: no payload). */
    private void hint(ObjectRef ref) {
        // a burst of events is one reconcile pass, as with the former fixed 50 ms tick
        long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HINT_COALESCE_MILLIS);
        if (ref.kind() == ObjectKind.SERVICE) {
            serviceOf.forEach((name, service) -> due.computeIfPresent(name, (k, v) -> Math.min(v, at)));
        } else {
            due.replaceAll((k, v) -> Math.min(v, at));
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
                if (controller == null) {
                    result.complete(Optional.empty());
                    return;
                }
                boolean wasLive = controller.agentLive(heartbeat.node());
                result.complete(controller.onHeartbeat(heartbeat));
                if (!wasLive && acting && controller.agentLive(heartbeat.node())) {
                    agentBack();
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /**
     * A node's agent heartbeats again (a restarted operator, a healed or rebooted node): every volume looks now,
     * not at its next retry. A relocation that found no eligible target waited up to a backoff step (10 s and more)
     * after the only other worker's replaced operator came back in the lab bench (crash after partition, 3+2 lab).
     */
    private void agentBack() {
        long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HINT_COALESCE_MILLIS);
        due.replaceAll((k, v) -> Math.min(v, at));
        scheduleNext();
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
