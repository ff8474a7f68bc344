package dev.relocator.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relocator.core.events.EventSink;
import dev.relocator.core.events.StateChange;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;

/** Wiring only (no broker): the channels carry CloudEvent and Kafka-key metadata, and state goes where it should. */
@QuarkusTest
@QuarkusTestResource(value = KafkaEventSinkWiringTest.InMemoryChannels.class, restrictToAnnotatedClass = true)
class KafkaEventSinkWiringTest {

    public static class InMemoryChannels implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            Map<String, String> props = new HashMap<>();
            props.putAll(InMemoryConnector.switchOutgoingChannelsToInMemory(Channels.EVENTS, Channels.VOLUME_STATE));
            props.put("relocator.events.topics.check", "false");
            return props;
        }

        @Override
        public void stop() {
            InMemoryConnector.clear();
        }
    }

    @Inject
    @Any
    InMemoryConnector connector;

    @Inject
    EventSink sink;

    @Inject
    KafkaEventSink kafkaSink;

    @BeforeEach
    void clear() {
        connector.sink(Channels.EVENTS).clear();
        connector.sink(Channels.VOLUME_STATE).clear();
    }

    @Test
    void theInjectedEventSinkIsTheKafkaPublisherAndNeverBlocks() {
        assertTrue(sink instanceof KafkaEventSink, sink.getClass().getName());
        sink.publish(new StateChange(StateChange.Types.PHASE_CHANGED, "wire-v", "wire-v", 3, "Starting",
                Instant.parse("2026-12-04T20:00:00Z"), Map.of("toNode", "w2")));
        sink.publish(new StateChange(StateChange.Types.FENCE_EXECUTED, "w1", "w1", 0, "Fenced", Instant.now(),
                Map.of("evidence", "lease-expired")));

        InMemorySink<Map<String, Object>> events = connector.sink(Channels.EVENTS);
        InMemorySink<Map<String, Object>> state = connector.sink(Channels.VOLUME_STATE);
        // only this test's keys: the running application may publish its own node events beside them
        await().atMost(Duration.ofSeconds(10)).until(() -> ofKeys(events).size() == 2);

        Message<Map<String, Object>> volumeEvent = ofKeys(events).get(0);
        OutgoingCloudEventMetadata<?> ce = volumeEvent.getMetadata(OutgoingCloudEventMetadata.class).orElseThrow();
        assertEquals(StateChange.Types.PHASE_CHANGED, ce.getType());
        assertEquals("wire-v", ce.getSubject().orElseThrow());
        assertEquals("application/json", ce.getDataContentType().orElseThrow());
        assertEquals("wire-v", volumeEvent.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow().getKey());
        assertEquals(3L, volumeEvent.getPayload().get("epoch"));
        assertEquals("Starting", volumeEvent.getPayload().get("phase"));

        Message<Map<String, Object>> nodeEvent = ofKeys(events).get(1);
        assertEquals("w1", nodeEvent.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow().getKey());
        assertEquals("node", nodeEvent.getPayload().get("kind"));

        await().atMost(Duration.ofSeconds(10)).until(() -> ofKeys(state).size() == 1);
        List<? extends Message<Map<String, Object>>> states = ofKeys(state);
        assertEquals("wire-v", states.get(0).getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow().getKey());
        assertEquals(ce.getId(), states.get(0).getMetadata(OutgoingCloudEventMetadata.class).orElseThrow().getId(),
                "the state record is the same event");
        await().atMost(Duration.ofSeconds(10)).until(() -> kafkaSink.buffer().size() == 0);
    }

    private static List<? extends Message<Map<String, Object>>> ofKeys(InMemorySink<Map<String, Object>> sink) {
        return sink.received().stream()
                .filter(m -> m.getMetadata(OutgoingKafkaRecordMetadata.class)
                        .map(k -> "wire-v".equals(k.getKey()) || "w1".equals(k.getKey())).orElse(false))
                .toList();
    }
}
