package dev.relocator.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.relocator.core.events.StateChange;
import dev.relocator.testkit.kafka.InjectKafkaBroker;
import dev.relocator.testkit.kafka.KafkaBroker;
import dev.relocator.testkit.kafka.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The publisher against a real broker: order per key, outage and recovery, compacted state, contract. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
class KafkaEventSinkIT {

    static final List<String> PHASES = List.of("Fencing", "Detaching", "Attaching", "Starting", "Attached");

    @Inject
    KafkaEventSink sink;

    @Inject
    EventsConfig config;

    @InjectKafkaBroker
    KafkaBroker kafka;

    final EventSchemas schemas = new EventSchemas();

    @BeforeEach
    void topicsReady() {
        await().atMost(Duration.ofSeconds(60)).until(sink::isTopicsReady);
    }

    static StateChange phase(String volume, long epoch, String phase) {
        return new StateChange(StateChange.Types.PHASE_CHANGED, volume, volume, epoch, phase, Instant.now(),
                Map.of("fromNode", "w1", "toNode", "w2"));
    }

    /** Every record read is checked: key = subject, structured-mode header, valid against its schema. */
    List<WatchedEvent> checked(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(r -> {
            Header contentType = r.headers().lastHeader("content-type");
            assertNotNull(contentType, "structured mode sets content-type");
            assertTrue(new String(contentType.value(), StandardCharsets.UTF_8).startsWith("application/cloudevents+json"));
            assertEquals(Set.of(), schemas.validate(r.value()), r.value());
            WatchedEvent e = WatchedEvent.parse(r.key(), r.value());
            assertEquals(r.key(), e.subject(), "Kafka key = CloudEvents subject");
            return e;
        }).toList();
    }

    @Test
    void eachKeysEventsArriveInOrder() {
        List<String> volumes = List.of("ord-a", "ord-b", "ord-c");
        int perVolume = 20;
        for (int i = 0; i < perVolume; i++) {
            for (String v : volumes) {
                sink.publish(phase(v, i + 1, PHASES.get(i % PHASES.size())));
            }
        }
        List<ConsumerRecord<String, String>> records = TopicReader.readUntil(kafka.clientProperties(), config.topic(),
                rs -> rs.stream().filter(r -> r.key().startsWith("ord-")).count() >= volumes.size() * perVolume,
                Duration.ofSeconds(60));
        Set<String> ids = new HashSet<>();
        for (String v : volumes) {
            List<WatchedEvent> events = checked(TopicReader.ofKey(records, v));
            assertEquals(perVolume, events.size(), v);
            for (int i = 0; i < perVolume; i++) {
                WatchedEvent e = events.get(i);
                assertEquals(i + 1, e.epoch(), v + " in publish order");
                assertEquals(i + 1, e.sequence());
                assertEquals(PHASES.get(i % PHASES.size()), e.phase());
                assertEquals(StateChange.Types.PHASE_CHANGED, e.type());
                assertTrue(ids.add(e.id()), "ids are unique");
            }
        }
    }

    @Test
    void brokerStoppedAndRestartedMidSequenceLosesNothingAndKeepsOrder() {
        String v = "outage-v";
        for (int i = 1; i <= 3; i++) {
            sink.publish(phase(v, i, "Attached"));
        }
        TopicReader.readUntil(kafka.clientProperties(), config.topic(),
                rs -> TopicReader.ofKey(rs, v).size() >= 3, Duration.ofSeconds(60));

        kafka.stop();
        for (int i = 4; i <= 15; i++) {
            sink.publish(phase(v, i, PHASES.get(i % PHASES.size())));   // must return at once: Kafka is down
        }
        assertTrue(sink.buffer().size() >= 12, "transitions wait in the buffer while Kafka is down: "
                + sink.buffer().size());
        kafka.start();

        List<WatchedEvent> events = checked(TopicReader.ofKey(TopicReader.readUntil(kafka.clientProperties(),
                config.topic(), rs -> TopicReader.ofKey(rs, v).stream().anyMatch(r -> r.value().contains("\"epoch\":15")),
                Duration.ofSeconds(120)), v));
        // at-least-once: a send retried after an ambiguous failure may repeat; duplicates share their id
        List<WatchedEvent> distinct = events.stream().filter(distinctById()).toList();
        assertEquals(15, distinct.size(), "every transition arrives: " + distinct.stream().map(WatchedEvent::epoch).toList());
        for (int i = 0; i < 15; i++) {
            assertEquals(i + 1, distinct.get(i).epoch(), "in order");
            assertEquals(i + 1, distinct.get(i).sequence());
            assertFalse(distinct.get(i).snapshot(), "within the bound no snapshot is needed");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.buffer().size() == 0);
    }

    @Test
    void compactedStateTopicHoldsTheLatestStatePerVolume() throws Exception {
        try (Admin admin = kafka.internalAdmin()) {
            ConfigResource state = new ConfigResource(ConfigResource.Type.TOPIC, config.stateTopic());
            Config c = admin.describeConfigs(List.of(state)).all().get(20, TimeUnit.SECONDS).get(state);
            assertEquals("compact", c.get("cleanup.policy").value());
            assertEquals(3, admin.describeTopics(List.of(config.stateTopic())).allTopicNames().get(20, TimeUnit.SECONDS)
                    .get(config.stateTopic()).partitions().size());
        }
        for (int i = 1; i <= 5; i++) {
            sink.publish(phase("state-a", i, PHASES.get(i - 1)));
        }
        sink.publish(phase("state-b", 1, "Attaching"));
        sink.publish(new StateChange(StateChange.Types.LEASE_LOST, "node-x", "node-x", 0, "Down", Instant.now(), Map.of()));

        // a new consumer rebuilds the current state from the state topic alone
        List<ConsumerRecord<String, String>> records = TopicReader.readUntil(kafka.clientProperties(),
                config.stateTopic(), rs -> latest(rs, "state-a") != null && latest(rs, "state-a").epoch() == 5
                        && latest(rs, "state-b") != null, Duration.ofSeconds(60));
        checked(records);
        assertEquals("Attached", latest(records, "state-a").phase());
        assertEquals("Attaching", latest(records, "state-b").phase());
        assertTrue(TopicReader.ofKey(records, "node-x").isEmpty(), "node events are not volume state");
    }

    @Test
    void stateTopicIsReallyCompacted() throws Exception {
        // Make the broker roll and clean segments within the test's time; the topic's policy is ours.
        try (Admin admin = kafka.internalAdmin()) {
            ConfigResource state = new ConfigResource(ConfigResource.Type.TOPIC, config.stateTopic());
            admin.incrementalAlterConfigs(Map.of(state, List.of(
                    new AlterConfigOp(new ConfigEntry("segment.ms", "100"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("min.cleanable.dirty.ratio", "0.01"), AlterConfigOp.OpType.SET))))
                    .all().get(20, TimeUnit.SECONDS);
        }
        long[] epoch = {0};
        int[] most = {0};
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() -> {
            sink.publish(phase("compact-v", ++epoch[0], "Attached"));
            int held = TopicReader.ofKey(TopicReader.readToEnd(kafka.clientProperties(), config.stateTopic()),
                    "compact-v").size();
            most[0] = Math.max(most[0], held);
            return held < most[0];
        });
        // after compaction the latest state is still there
        long last = epoch[0];
        TopicReader.readUntil(kafka.clientProperties(), config.stateTopic(),
                rs -> latest(rs, "compact-v") != null && latest(rs, "compact-v").epoch() == last, Duration.ofSeconds(60));
    }

    @Test
    void watcherFiltersByVolumeNodeAndTypeAndPrintsTableOrJson() {
        sink.publish(phase("watch-v", 1, "Fencing"));
        sink.publish(new StateChange(StateChange.Types.LEASE_LOST, "w1", "w1", 0, "Down", Instant.now(),
                Map.of("reason", "heartbeats missed")));
        sink.publish(phase("watch-other", 1, "Attached"));
        TopicReader.readUntil(kafka.clientProperties(), config.topic(),
                rs -> !TopicReader.ofKey(rs, "watch-other").isEmpty(), Duration.ofSeconds(60));

        try (EventWatcher w = EventWatcher.builder().clientProperties(kafka.clientProperties()).topic(config.topic())
                .volume("watch-v").fromBeginning(true).build()) {
            List<WatchedEvent> got = pollUntil(w, 1);
            assertTrue(got.stream().allMatch(e -> e.subject().equals("watch-v")), got.toString());
            String row = EventWatcher.row(got.get(0));
            assertTrue(row.contains("volume.phase.changed") && row.contains("watch-v") && row.contains("Fencing"), row);
        }
        try (EventWatcher w = EventWatcher.builder().clientProperties(kafka.clientProperties()).topic(config.topic())
                .node("w1").type("lease.lost").format(EventWatcher.Format.JSON).fromBeginning(true).build()) {
            List<WatchedEvent> got = pollUntil(w, 1);
            assertTrue(got.stream().allMatch(e -> e.type().equals(StateChange.Types.LEASE_LOST)), got.toString());
            assertEquals(Set.of(), schemas.validate(w.render(got.get(0))), "JSON output is the event itself");
        }
    }

    @Test
    void sampleAlertConsumerTurnsFailuresFencesAndLeaseLossesIntoAlertLines() throws Exception {
        Instant now = Instant.now();
        sink.publish(phase("alert-v", 4, "Attached"));
        sink.publish(new StateChange(StateChange.Types.PHASE_CHANGED, "alert-v", "alert-v", 4, "Failed", now,
                Map.of("reason", "AttachTimeout")));
        sink.publish(new StateChange(StateChange.Types.FENCE_EXECUTED, "alert-n1", "alert-n1", 0, "Fenced", now,
                Map.of("evidence", "lease-expired")));
        sink.publish(new StateChange(StateChange.Types.LEASE_LOST, "alert-n2", "alert-n2", 0, "Down", now, Map.of()));
        TopicReader.readUntil(kafka.clientProperties(), config.topic(), rs -> TopicReader.ofKey(rs, "alert-v").size() >= 2
                && !TopicReader.ofKey(rs, "alert-n1").isEmpty() && !TopicReader.ofKey(rs, "alert-n2").isEmpty(),
                Duration.ofSeconds(60));

        Path source = EventSchemas.locate().resolve("../../../deploy/examples/alert-consumer/AlertConsumer.java")
                .normalize();
        String classpath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> {
                    String name = Path.of(e).getFileName().toString();
                    return name.startsWith("kafka-clients-") || name.startsWith("slf4j-api-");
                })
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        Path out = Files.createTempFile("alerts", ".txt");
        Path err = Files.createTempFile("alerts", ".err");
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", classpath, source.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                    "--topic", config.topic(), "--from-beginning", "--to-end")
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("AlertConsumer did not finish: " + Files.readString(err));
            }
            assertEquals(0, p.exitValue(), Files.readString(err));
            List<String> alerts = Files.readAllLines(out).stream().filter(l -> l.contains("alert-")).toList();
            assertEquals(3, alerts.size(), "one line per Failed phase, fence and lease loss: " + alerts);
            // three keys, three partitions: no order across keys
            assertTrue(alerts.stream().anyMatch(l -> l.contains("ALERT volume alert-v Failed at epoch 4")
                    && l.contains("AttachTimeout")), alerts.toString());
            assertTrue(alerts.stream().anyMatch(l -> l.contains("ALERT node alert-n1 fenced")), alerts.toString());
            assertTrue(alerts.stream().anyMatch(l -> l.contains("ALERT node alert-n2 lost its lease")), alerts.toString());
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static List<WatchedEvent> pollUntil(EventWatcher w, int atLeast) {
        List<WatchedEvent> got = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            got.addAll(w.poll(Duration.ofMillis(200)));
            return got.size() >= atLeast;
        });
        return got;
    }

    static WatchedEvent latest(List<ConsumerRecord<String, String>> records, String key) {
        List<ConsumerRecord<String, String>> own = TopicReader.ofKey(records, key);
        return own.isEmpty() ? null : WatchedEvent.parse(key, own.get(own.size() - 1).value());
    }

    static java.util.function.Predicate<WatchedEvent> distinctById() {
        Set<String> seen = new HashSet<>();
        return e -> seen.add(e.id());
    }
}
