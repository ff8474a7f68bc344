package dev.relocator.api;

import dev.relocator.app.RelocatorConfig;
import dev.relocator.crd.validation.ValidationOptions;
import dev.relocator.docker.DockerEndpoint;
import dev.relocator.store.NodeDirectory;
import dev.relocator.store.SwarmApi;
import dev.relocator.store.SwarmConfigBackend;
import dev.relocator.store.SwarmNodes;
import dev.relocator.store.SwarmServices;
import dev.relocator.store.VersionedResourceStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.net.URI;
import java.time.Clock;

/** The Swarm-config store and the node directory, built once from {@link ApiConfig}. */
@ApplicationScoped
public class StoreBeans {

    @Produces
    @Singleton
    SwarmApi swarmApi(ApiConfig config, RelocatorConfig relocator) {
        // the same engine as the rest of the operator unless the store is pointed elsewhere
        URI host = DockerEndpoint.resolve(config.store().dockerHost().filter(s -> !s.isBlank()).or(() -> relocator.docker().host()));
        return new SwarmApi(host, config.store().responseTimeout());
    }

    @Produces
    @Singleton
    VersionedResourceStore store(ApiConfig config, SwarmApi api) {
        return new VersionedResourceStore(new SwarmConfigBackend(api, config.store().scope(), config.store().history()),
                new SwarmServices(api), ValidationOptions.defaults(), Clock.systemUTC(), config.store().pollInterval());
    }

    void close(@Disposes VersionedResourceStore store) {
        store.close();
    }

    @Produces
    @Singleton
    NodeDirectory nodes(SwarmApi api) {
        return new SwarmNodes(api);
    }
}
