package dev.relocator.app;

import dev.relocator.core.model.NodeInfo;
import dev.relocator.core.model.ServiceUpdate;
import dev.relocator.core.model.ServiceView;
import dev.relocator.core.ports.StaleVersionException;
import dev.relocator.core.ports.SwarmCluster;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.Optional;

/** Counts compare-and-swap outcomes; a rising conflict count means two writers are racing. */
final class CountingSwarmCluster implements SwarmCluster {

    private final SwarmCluster delegate;
    private final Counter updates;
    private final Counter conflicts;

    CountingSwarmCluster(SwarmCluster delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.updates = Counter.builder("relocator.cas.updates").description("service updates Swarm accepted").register(registry);
        this.conflicts = Counter.builder("relocator.cas.conflicts").description("service updates refused as stale").register(registry);
    }

    @Override
    public List<NodeInfo> nodes() {
        return delegate.nodes();
    }

    @Override
    public Optional<ServiceView> service(String name) {
        return delegate.service(name);
    }

    @Override
    public long update(String service, long expectedVersion, ServiceUpdate update) throws StaleVersionException {
        try {
            long v = delegate.update(service, expectedVersion, update);
            updates.increment();
            return v;
        } catch (StaleVersionException e) {
            conflicts.increment();
            throw e;
        }
    }

    @Override
    public boolean confirmLeadership() {
        return delegate.confirmLeadership();
    }

    @Override
    public void recordHandover(String node, long extensionMillis) {
        delegate.recordHandover(node, extensionMillis);
    }
}
