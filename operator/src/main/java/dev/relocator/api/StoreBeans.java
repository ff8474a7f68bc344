package dev.relocator.api;

import dev.relocator.app.EventFanOut;
import dev.relocator.app.RelocatorConfig;
import dev.relocator.crd.validation.ValidationOptions;
import dev.relocator.docker.DockerEndpoint;
import dev.relocator.store.NodeDirectory;
import dev.relocator.store.StoreEventHints;
import dev.relocator.store.SwarmApi;
import dev.relocator.store.SwarmConfigBackend;
import dev.relocator.store.SwarmNodes;
import dev.relocator.store.SwarmServices;
import dev.relocator.store.VersionedResourceStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** The Swarm-config store and the node directory, built once from {@link ApiConfig}. */
@ApplicationScoped
public class StoreBeans {

    private static final Logger LOG = Logger.getLogger(StoreBeans.class);

    @Produces
    @Singleton
    SwarmApi swarmApi(ApiConfig config, RelocatorConfig relocator) {
        return new SwarmApi(storeEngine(config, relocator), config.store().responseTimeout());
    }

    /**
     * Watches follow the operator's Docker event stream (config and service events) when the store lives on
     * the engine that stream reads, and re-read Swarm only every {@code resync-interval}; a store on another
     * engine gets no events from it and is polled every {@code poll-interval} (docs/design-notes.md,
     * "Store watches driven by Docker events").
     */
    @Produces
    @Singleton
    VersionedResourceStore store(ApiConfig config, RelocatorConfig relocator, SwarmApi api, EventFanOut fanOut) {
        boolean events = eventsCoverStore(config.store().dockerHost(), relocator.docker().host());
        Duration resync = events ? config.store().resyncInterval() : config.store().pollInterval();
        VersionedResourceStore store = new VersionedResourceStore(
                new SwarmConfigBackend(api, config.store().scope(), config.store().history()),
                new SwarmServices(api), ValidationOptions.defaults(), Clock.systemUTC(), resync);
        if (events) {
            fanOut.onStoreChange(new StoreEventHints(store));
        }
        LOG.debugf("resource store watches: %s", events ? "Docker events, re-read every " + resync : "polled every " + resync);
        return store;
    }

    void close(@Disposes VersionedResourceStore store) {
        store.close();
    }

    @Produces
    @Singleton
    NodeDirectory nodes(SwarmApi api) {
        return new SwarmNodes(api);
    }

    private static URI storeEngine(ApiConfig config, RelocatorConfig relocator) {
        // the same engine as the rest of the operator unless the store is pointed elsewhere
        return DockerEndpoint.resolve(config.store().dockerHost().filter(s -> !s.isBlank()).or(() -> relocator.docker().host()));
    }

    /** Whether the operator's event stream (on {@code operatorHost}) sees the changes of the store's engine. */
    static boolean eventsCoverStore(Optional<String> storeHost, Optional<String> operatorHost) {
        Optional<String> own = storeHost.filter(s -> !s.isBlank());
        return own.isEmpty() || DockerEndpoint.resolve(own).equals(DockerEndpoint.resolve(operatorHost));
    }
}
