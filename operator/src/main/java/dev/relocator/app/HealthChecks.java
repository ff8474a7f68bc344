package dev.relocator.app;

import dev.relocator.docker.events.DockerEventSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: the view has been synced with the engine at least once. Liveness: the event loop runs. */
public final class HealthChecks {

    private HealthChecks() {
    }

    @Readiness
    @ApplicationScoped
    public static class EventsSynced implements HealthCheck {
        @Inject
        DockerEventSource source;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("relocator-docker-events")
                    .status(source.hasSynced())
                    .withData("synced", source.hasSynced())
                    .withData("connected", source.isConnected())
                    .withData("pending", source.pending())
                    .build();
        }
    }

    @Liveness
    @ApplicationScoped
    public static class EventLoopAlive implements HealthCheck {
        @Inject
        DockerEventSource source;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("relocator-event-loop")
                    .status(source.isAlive())
                    .withData("connections", source.connections())
                    .build();
        }
    }
}
