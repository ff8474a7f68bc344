package dev.relocator.bench;

import dev.relocator.core.events.EventSink;
import dev.relocator.core.events.StateChange;
import dev.relocator.core.model.NodeInfo;
import dev.relocator.core.model.ServiceUpdate;
import dev.relocator.core.model.ServiceView;
import dev.relocator.core.ports.AgentCommands;
import dev.relocator.core.ports.Clock;
import dev.relocator.core.ports.StaleVersionException;
import dev.relocator.core.ports.SwarmCluster;
import dev.relocator.core.protocol.AgentCommand;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * In-memory ports for microbenchmarks of the controller core: reads return prebuilt immutable
 * views (the Docker adapter's HTTP round trip and mapping are not what is measured), and a write is
 * a checked compare-and-swap that is counted but does not change the stored service. That keeps a
 * relocation step repeatable: every invocation sees the same phase and takes the same transition.
 */
final class InMemoryPorts {

    private InMemoryPorts() {
    }

    /** Time stands still, so leases neither expire nor move during a measurement. */
    static final class FixedClock implements Clock {
        final long nanos = 1_000_000_000_000L;
        final Instant wall = Instant.parse("2026-12-04T12:00:00Z");

        @Override
        public long monotonicNanos() {
            return nanos;
        }

        @Override
        public Instant wallTime() {
            return wall;
        }
    }

    static final class FrozenCluster implements SwarmCluster {
        final Map<String, ServiceView> services = new HashMap<>();
        List<NodeInfo> nodes = List.of();
        long writes;

        @Override
        public List<NodeInfo> nodes() {
            return nodes;
        }

        @Override
        public Optional<ServiceView> service(String name) {
            return Optional.ofNullable(services.get(name));
        }

        @Override
        public long update(String service, long expectedVersion, ServiceUpdate update) throws StaleVersionException {
            ServiceView current = services.get(service);
            if (current == null || current.version() != expectedVersion) {
                throw new StaleVersionException(service, expectedVersion, current == null ? -1 : current.version());
            }
            writes++;
            return expectedVersion + 1;
        }

        @Override
        public boolean confirmLeadership() {
            return true;
        }
    }

    static final class CountingCommands implements AgentCommands {
        long sent;

        @Override
        public void send(String node, AgentCommand command) {
            sent++;
        }
    }

    static final class CountingSink implements EventSink {
        long published;

        @Override
        public void publish(StateChange change) {
            published++;
        }
    }
}
