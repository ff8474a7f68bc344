package dev.relocator.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import io.smallrye.health.api.Wellness;

/**
 * Reports the event stream at {@code /q/health/well}. Deliberately neither liveness nor
 * readiness: safety never depends on Kafka, so an unreachable broker must not make Swarm
 * restart or unroute the operator (docs/events/README.md, "Readiness policy").
 */
@Wellness
@ApplicationScoped
public class EventsHealthCheck implements HealthCheck {

    @Inject
    KafkaEventSink sink;

    @Inject
    EventTopics topics;

    @Override
    public HealthCheckResponse call() {
        EventBuffer buffer = sink.buffer();
        String problem = topics.problem();
        String lastError = sink.lastError();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("relocator-events")
                .status(sink.isTopicsReady() && problem == null && lastError == null)
                .withData("buffered", buffer.size())
                .withData("capacity", buffer.capacity())
                .withData("snapshotsPending", buffer.snapshots())
                .withData("consecutiveFailures", sink.consecutiveFailures());
        if (problem != null) {
            b.withData("topics", problem);
        }
        if (lastError != null) {
            b.withData("lastError", lastError);
        }
        return b.build();
    }
}
