package dev.relocator.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.relocator.core.events.StateChange;
import dev.relocator.testkit.kafka.InjectKafkaBroker;
import dev.relocator.testkit.kafka.KafkaBroker;
import dev.relocator.testkit.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * The operator starts while Kafka is down: it starts anyway, says why the topics are not
 * ready, buffers the changes, and once the broker is up creates the topics and delivers
 * everything in order.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = KafkaBrokerResource.STOPPED, value = "true"))
class KafkaUnreachableAtStartIT {

    @Inject
    KafkaEventSink sink;

    @Inject
    EventTopics topics;

    @Inject
    EventsConfig config;

    @InjectKafkaBroker
    KafkaBroker kafka;

    @Test
    void startsWithoutKafkaThenCatchesUp() {
        assertFalse(kafka.isRunning());
        await().atMost(Duration.ofSeconds(60)).until(() -> topics.problem() != null
                && topics.problem().contains("unreachable"));
        String problem = topics.problem();
        assertTrue(problem.contains(kafka.bootstrapServers()) && problem.contains("kafka.bootstrap.servers"), problem);
        assertFalse(sink.isTopicsReady());

        for (int i = 1; i <= 6; i++) {
            sink.publish(new StateChange(StateChange.Types.PHASE_CHANGED, "late-v", "late-v", i,
                    KafkaEventSinkIT.PHASES.get(i % KafkaEventSinkIT.PHASES.size()), Instant.now(), Map.of()));
        }
        // only this key: the running operator may buffer its own node events beside ours
        assertEquals(6, sink.buffer().pending("late-v").size(), "held until the topics exist");
        String well = RestAssured.get("/q/health/well").then().statusCode(503).extract().asString();
        assertTrue(well.contains("unreachable"), well);
        assertFalse(RestAssured.get("/q/health/ready").asString().contains("relocator-events"));

        kafka.start();
        await().atMost(Duration.ofSeconds(90)).until(sink::isTopicsReady);
        List<WatchedEvent> events = TopicReader.ofKey(TopicReader.readUntil(kafka.clientProperties(), config.topic(),
                rs -> TopicReader.ofKey(rs, "late-v").size() >= 6, Duration.ofSeconds(60)), "late-v").stream()
                .map(r -> WatchedEvent.parse(r.key(), r.value())).toList();
        EventSchemas schemas = new EventSchemas();
        for (int i = 0; i < 6; i++) {
            assertEquals(i + 1, events.get(i).epoch());
            assertEquals(Set.of(), schemas.validate(events.get(i).json()));
        }
        assertNotNull(TopicReader.readUntil(kafka.clientProperties(), config.stateTopic(),
                rs -> !TopicReader.ofKey(rs, "late-v").isEmpty(), Duration.ofSeconds(60)));
        await().atMost(Duration.ofSeconds(30)).until(() -> RestAssured.get("/q/health/well").statusCode() == 200);
    }
}
