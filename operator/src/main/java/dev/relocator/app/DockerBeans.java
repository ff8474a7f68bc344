package dev.relocator.app;

import dev.relocator.docker.DockerClients;
import dev.relocator.docker.events.DockerEventSource;
import dev.relocator.docker.node.LocalNodeOperations;
import dev.relocator.docker.node.LocalView;
import dev.relocator.docker.swarm.SwarmAdapter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The Docker side of the application, built once from configuration. */
@ApplicationScoped
public class DockerBeans {

    /** Requests with the ordinary timeouts; the event stream without one. */
    @Produces
    @Singleton
    DockerClients clients(RelocatorConfig config) {
        RelocatorConfig.Docker d = config.docker();
        DockerClients.Settings requests = new DockerClients.Settings(d.host(), d.connectTimeout(), d.responseTimeout(), d.maxConnections());
        DockerClients.Settings events = d.eventHost().map(requests::withHost).orElse(requests);
        return DockerClients.connect(requests, events);
    }

    void close(@Disposes DockerClients clients) {
        clients.close();
    }

    /** Short response timeout: the agent's per-tick calls and the leadership write. */
    @Produces
    @Singleton
    @Fast
    DockerClients fastClients(RelocatorConfig config) {
        RelocatorConfig.Docker d = config.docker();
        DockerClients.Settings fast = new DockerClients.Settings(d.host(), d.connectTimeout(), d.fastResponseTimeout(), 4);
        return DockerClients.connect(fast);
    }

    void closeFast(@Disposes @Fast DockerClients clients) {
        clients.close();
    }

    @Produces
    @Singleton
    SwarmAdapter swarm(DockerClients clients) {
        return new SwarmAdapter(clients.requests());
    }

    @Produces
    @Singleton
    LocalNodeOperations localNode(DockerClients clients) {
        return new LocalNodeOperations(clients.requests());
    }

    @Produces
    @Singleton
    LocalView localView(DockerClients clients, LocalNodeOperations ops) {
        return new LocalView(clients.requests(), ops);
    }

    @Produces
    @Singleton
    DockerEventSource eventSource(DockerClients clients, RelocatorConfig config, EventFanOut fanOut, MeterRegistry registry) {
        RelocatorConfig.Watch e = config.watch();
        DockerEventSource.Settings settings = new DockerEventSource.Settings(e.resyncPeriod(), e.stallTimeout(), e.quietLimit(),
                e.pingInterval(), e.maxBackoff(), e.queueCapacity(), e.overlap());
        return new DockerEventSource(clients.events(), clients.requestsToEventHost(), settings, fanOut, registry);
    }

    void closeSource(@Disposes DockerEventSource source) {
        source.close();
    }
}
