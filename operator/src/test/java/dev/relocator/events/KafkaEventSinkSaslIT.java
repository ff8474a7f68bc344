package dev.relocator.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import dev.relocator.core.events.StateChange;
import dev.relocator.testkit.kafka.InjectKafkaBroker;
import dev.relocator.testkit.kafka.KafkaBroker;
import dev.relocator.testkit.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A broker whose client listener requires SASL/SCRAM-SHA-256: the operator is configured only
 * through the standard properties kafka.security.protocol, kafka.sasl.mechanism and
 * kafka.sasl.jaas.config (set by the test resource), which the channels and the topic set-up share.
 */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = KafkaBrokerResource.SCRAM_USER, value = "relocator:relocator-secret"))
class KafkaEventSinkSaslIT {

    @Inject
    KafkaEventSink sink;

    @Inject
    EventsConfig config;

    @InjectKafkaBroker
    KafkaBroker kafka;

    @Test
    void publishesThroughAnAuthenticatedListener() {
        assertTrue(kafka.requiresSasl());
        await().atMost(Duration.ofSeconds(60)).until(sink::isTopicsReady); // admin calls went through SASL

        for (int i = 1; i <= 5; i++) {
            sink.publish(new StateChange(StateChange.Types.PHASE_CHANGED, "sasl-v", "sasl-v", i,
                    KafkaEventSinkIT.PHASES.get(i - 1), Instant.now(), Map.of()));
        }
        List<ConsumerRecord<String, String>> records = TopicReader.ofKey(TopicReader.readUntil(kafka.clientProperties(),
                config.topic(), rs -> TopicReader.ofKey(rs, "sasl-v").size() >= 5, Duration.ofSeconds(60)), "sasl-v");
        EventSchemas schemas = new EventSchemas();
        for (int i = 0; i < 5; i++) {
            assertEquals(Set.of(), schemas.validate(records.get(i).value()));
            assertEquals(i + 1, WatchedEvent.parse("sasl-v", records.get(i).value()).epoch());
        }

        // and the listener really does refuse a client with the wrong password
        assertThrows(Exception.class, () -> TopicReader.readUntil(kafka.clientProperties("relocator", "wrong"),
                config.topic(), rs -> !rs.isEmpty(), Duration.ofSeconds(10)));
    }
}
