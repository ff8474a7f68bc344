package dev.relocator.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relocator.core.events.StateChange;
import dev.relocator.testkit.kafka.InjectKafkaBroker;
import dev.relocator.testkit.kafka.KafkaBroker;
import dev.relocator.testkit.kafka.KafkaBrokerResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.restassured.RestAssured;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A Kafka outage longer than the producer's delivery timeout with more transitions than the
 * buffer holds: sends fail and are retried by the publisher, the backlog past the bound
 * becomes a resync snapshot, and after recovery the consumer sees every gap announced.
 */
@QuarkusTest
@TestProfile(KafkaEventSinkOverflowIT.SmallBuffer.class)
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
class KafkaEventSinkOverflowIT {

    public static class SmallBuffer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "relocator.events.buffer-size", "4",
                    "relocator.events.retry-backoff", "200ms",
                    "relocator.events.retry-backoff-max", "1s",
                    // fail fast while the broker is down, so the publisher's own retry path runs
                    "mp.messaging.outgoing.relocator-events.delivery.timeout.ms", "3000",
                    "mp.messaging.outgoing.relocator-events.request.timeout.ms", "1000",
                    "mp.messaging.outgoing.relocator-events.max.block.ms", "1000");
        }
    }

    @Inject
    KafkaEventSink sink;

    @Inject
    EventsConfig config;

    @Inject
    MeterRegistry registry;

    @InjectKafkaBroker
    KafkaBroker kafka;

    final EventSchemas schemas = new EventSchemas();

    @BeforeEach
    void topicsReady() {
        await().atMost(Duration.ofSeconds(60)).until(sink::isTopicsReady);
    }

    static StateChange phase(String volume, long epoch, String phase) {
        return new StateChange(StateChange.Types.PHASE_CHANGED, volume, volume, epoch, phase, Instant.now(),
                Map.of("node", "w" + (epoch % 3)));
    }

    @Test
    void pastTheBoundAConsumerGetsASnapshotAnnouncingWhatItMissed() {
        String v = "overflow-v";
        sink.publish(phase(v, 1, "Attached"));
        TopicReader.readUntil(kafka.clientProperties(), config.topic(),
                rs -> TopicReader.ofKey(rs, v).size() >= 1, Duration.ofSeconds(60));
        double failuresBefore = failures();

        kafka.stop();
        List<String> phases = KafkaEventSinkIT.PHASES;
        int total = 13;
        for (int i = 2; i <= total; i++) {
            sink.publish(phase(v, i, phases.get(i % phases.size())));
        }
        assertTrue(sink.buffer().transitions() <= 4, "the bound holds: " + sink.buffer().transitions());
        assertTrue(sink.buffer().snapshots() >= 1, "overflow became a snapshot");
        // the outage outlasts the producer's delivery timeout: the publisher's retry path runs
        await().atMost(Duration.ofSeconds(60)).until(() -> failures() > failuresBefore);
        // Kafka trouble shows in the wellness check, never in readiness (safety does not depend on Kafka)
        String well = RestAssured.get("/q/health/well").then().statusCode(503).extract().asString();
        assertTrue(well.contains("relocator-events") && well.contains("lastError"), well);
        assertFalse(RestAssured.get("/q/health/ready").asString().contains("relocator-events"));
        kafka.start();

        List<WatchedEvent> events = TopicReader.ofKey(TopicReader.readUntil(kafka.clientProperties(), config.topic(),
                        rs -> TopicReader.ofKey(rs, v).stream().anyMatch(r -> r.value().contains("\"sequence\":" + total)),
                        Duration.ofSeconds(120)), v).stream()
                .map(r -> {
                    assertEquals(Set.of(), schemas.validate(r.value()), r.value());
                    return WatchedEvent.parse(r.key(), r.value());
                })
                .filter(KafkaEventSinkIT.distinctById()).toList();

        long previous = 0;
        int seenOneByOne = 0;
        int missed = 0;
        boolean sawSnapshot = false;
        for (WatchedEvent e : events) {
            assertTrue(e.sequence() > previous, "per-key order: " + events);
            if (e.sequence() != previous + 1) {
                assertTrue(e.snapshot(), "a gap is never silent: " + e.json());
                assertEquals(e.sequence() - previous, e.missed(), "the snapshot counts the gap: " + e.json());
            }
            if (e.snapshot()) {
                sawSnapshot = true;
                missed += e.missed();
                assertTrue(e.json().contains("\"replacedType\":\"" + StateChange.Types.PHASE_CHANGED + "\""), e.json());
            } else {
                seenOneByOne++;
            }
            previous = e.sequence();
        }
        assertTrue(sawSnapshot, "expected a snapshot: " + events);
        assertEquals(total, seenOneByOne + missed, "every transition is either delivered or counted by a snapshot");
        WatchedEvent last = events.get(events.size() - 1);
        assertEquals(total, last.epoch(), "the latest state arrives");
        assertEquals(phases.get(total % phases.size()), last.phase());
        assertTrue(registry.get("relocator.events.dropped.replaced.by.snapshot").functionCounter().count() > 0);
        assertFalse(events.isEmpty());
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.buffer().size() == 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> RestAssured.get("/q/health/well").statusCode() == 200);
    }

    double failures() {
        return registry.get("relocator.events.publish.failures").tag("channel", "events").counter().count();
    }
}
