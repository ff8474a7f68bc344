package dev.relocator.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relocator.app.SingleNodeSwarmResource;
import dev.relocator.core.events.StateChange;
import dev.relocator.docker.DockerClients;
import dev.relocator.docker.swarm.RelocatorLabels;
import dev.relocator.docker.swarm.ServiceSnapshot;
import dev.relocator.docker.swarm.SwarmAdapter;
import dev.relocator.testkit.docker.DockerEngine;
import dev.relocator.testkit.docker.TestResources;
import dev.relocator.testkit.docker.TestWorkloads;
import dev.relocator.testkit.kafka.InjectKafkaBroker;
import dev.relocator.testkit.kafka.KafkaBroker;
import dev.relocator.testkit.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real relocation by the real controller on a real (single-node) swarm while the Kafka broker
 * is down: the relocation completes without Kafka (safety never waits for it), its phase changes
 * wait in the bounded buffer, and once the broker is back a consumer receives every phase change
 * of that volume, in order, with consecutive sequence numbers — no silent gap.
 *
 * <p>The relocation is the adoption of a workload that was already running when it opted in:
 * fenced at epoch 0 by its agent, detached, prepared and started again at epoch 1 (on the only
 * node, whose agent confirmed the kill).
 */
@QuarkusTest
@QuarkusTestResource(value = SingleNodeSwarmResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = KafkaBrokerResource.STOPPED, value = "true"))
class RelocationDuringKafkaOutageIT {

    private static final List<String> RELOCATION = List.of("Fencing", "Detaching", "Attaching", "Starting", "Attached");

    @Inject
    KafkaEventSink sink;

    @Inject
    EventsConfig config;

    @InjectKafkaBroker
    KafkaBroker kafka;

    private DockerClients docker;
    private TestResources resources;
    private final List<String> volumes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        docker = DockerEngine.connect();
        resources = new TestResources(docker.requests());
    }

    @AfterEach
    void tearDown() {
        resources.close();
        for (String v : volumes) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                try {
                    docker.requests().removeVolumeCmd(v).exec();
                } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
                    return true;
                }
                return true;
            });
        }
        docker.close();
    }

    @Test
    void aRelocationWhileKafkaIsDownIsDeliveredInOrderAfterwards() {
        assertFalse(kafka.isRunning(), "the broker starts stopped");
        SwarmAdapter swarm = new SwarmAdapter(docker.requests());
        Path shared = resources.sharedDirectory("kafka-outage");
        String service = resources.name("outage");
        String volume = resources.name("outage-vol");
        volumes.add(volume);
        TestWorkloads.create(docker.requests(), resources, service, volume, shared, 1, Map.of());

        // the relocation completes with Kafka down
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            ServiceSnapshot s = swarm.service(service).orElseThrow();
            assertEquals("Attached", s.labels().get(RelocatorLabels.PHASE), () -> "labels " + s.labels());
            assertEquals("1", s.labels().get(RelocatorLabels.EPOCH), () -> "labels " + s.labels());
        });
        // the change is published right after its CAS: wait for the last one to reach the buffer
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<String> buffered = sink.buffer().pending(volume).stream().map(e -> e.change().phase()).toList();
            assertTrue(buffered.containsAll(RELOCATION), "every phase change waits in the buffer while Kafka is down: " + buffered);
        });
        assertFalse(kafka.isRunning(), "the whole relocation happened with the broker down");

        kafka.start();
        // the operator creates its topics once the broker answers; nothing is sent before that
        await().atMost(Duration.ofSeconds(90)).until(sink::isTopicsReady);
        List<WatchedEvent> events = TopicReader.ofKey(TopicReader.readUntil(kafka.clientProperties(), config.topic(),
                rs -> phases(TopicReader.ofKey(rs, volume)).containsAll(RELOCATION), Duration.ofSeconds(90)), volume)
                .stream().map(r -> WatchedEvent.parse(r.key(), r.value())).toList();
        List<WatchedEvent> phaseEvents = events.stream()
                .filter(e -> StateChange.Types.PHASE_CHANGED.equals(e.type())).toList();

        // in order: the relocation's phases appear as a subsequence, in protocol order
        List<String> seen = phaseEvents.stream().map(WatchedEvent::phase).toList();
        int at = 0;
        for (String p : seen) {
            if (at < RELOCATION.size() && RELOCATION.get(at).equals(p)) {
                at++;
            }
        }
        assertEquals(RELOCATION.size(), at, "phases in protocol order: " + seen);
        // no silent gap: the per-key sequence has no hole and starts at the first event of the key
        for (int i = 1; i < events.size(); i++) {
            assertEquals(events.get(i - 1).sequence() + 1, events.get(i).sequence(),
                    "consecutive sequence numbers for " + volume + ": " + events);
        }
        assertTrue(events.stream().noneMatch(WatchedEvent::snapshot), "below the bound: no snapshot, every transition");
        assertEquals(1, phaseEvents.get(phaseEvents.size() - 1).epoch(), "the new attachment's epoch");
        EventSchemas schemas = new EventSchemas();
        events.forEach(e -> assertEquals(java.util.Set.of(), schemas.validate(e.json()), e.json()));
    }

    private static List<String> phases(List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> records) {
        return records.stream().map(r -> WatchedEvent.parse(r.key(), r.value()))
                .filter(e -> StateChange.Types.PHASE_CHANGED.equals(e.type())).map(WatchedEvent::phase).toList();
    }
}
