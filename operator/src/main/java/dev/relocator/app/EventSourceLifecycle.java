package dev.relocator.app;

import dev.relocator.docker.events.DockerEventSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Starts the event source with the application; readiness waits for its first resync. */
@ApplicationScoped
public class EventSourceLifecycle {

    private static final Logger LOG = Logger.getLogger(EventSourceLifecycle.class);

    @Inject
    DockerEventSource source;

    void start(@Observes StartupEvent event) {
        source.start();
        LOG.info("Docker event source started; readiness is DOWN until its first full resync");
    }

    void stop(@Observes ShutdownEvent event) {
        source.close();
    }
}
