package dev.relocator.app;

import dev.relocator.docker.swarm.SwarmAdapter;
import dev.relocator.docker.swarm.SwarmRole;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The local node's Swarm role and leadership, learned from Swarm itself and re-read every
 * {@code relocator.controller.role-check}. A change is pushed to listeners at once, so a
 * deposed controller hears about it within one check, not one leader lease.
 */
@ApplicationScoped
public class SwarmRoleMonitor {

    private static final Logger LOG = Logger.getLogger(SwarmRoleMonitor.class);

    @Inject
    SwarmAdapter swarm;
    @Inject
    RelocatorConfig config;
    @Inject
    MeterRegistry registry;

    private volatile SwarmRole role = SwarmRole.NOT_IN_SWARM;
    private volatile boolean known;
    private final List<Consumer<SwarmRole>> listeners = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService timer;

    void start(@Observes StartupEvent event) {
        Gauge.builder("relocator.swarm.leader", this, m -> m.role.leader() ? 1 : 0)
                .description("1 while Swarm says this node is the Raft leader").register(registry);
        Gauge.builder("relocator.swarm.manager", this, m -> m.role.manager() ? 1 : 0).register(registry);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relocator-swarm-role");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::check, 0, config.controller().roleCheck().toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    void check() {
        SwarmRole next;
        try {
            next = swarm.role();
        } catch (RuntimeException e) {
            // an engine that cannot answer cannot vouch for leadership either
            next = new SwarmRole(role.nodeId(), "unknown", false, false);
            LOG.debugf("cannot read the Swarm role: %s", e.toString());
        }
        SwarmRole previous = role;
        role = next;
        known = true;
        if (!previous.equals(next)) {
            LOG.infof("Swarm role: node=%s state=%s manager=%s leader=%s", next.nodeId(), next.state(), next.manager(), next.leader());
            for (Consumer<SwarmRole> l : listeners) {
                try {
                    l.accept(next);
                } catch (RuntimeException e) {
                    LOG.warnf("role listener failed: %s", e.toString());
                }
            }
        }
    }

    public SwarmRole role() {
        return role;
    }

    public boolean known() {
        return known;
    }

    /** Called on every change, on the monitor's thread; must not block. */
    public void onChange(Consumer<SwarmRole> listener) {
        listeners.add(listener);
    }
}
