package dev.relocator.chaos.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows the operator's {@code relocator.events} topic (CloudEvents, structured mode) and keeps
 * every volume phase change, in order, with the time it was received. Runs on its own thread.
 */
public final class PhaseFeed implements AutoCloseable {

    /** One {@code dev.relocator.volume.phase.changed}: volume, phase, epoch, the node it names and when it arrived. */
    public record Phase(long receivedMillis, String volume, String phase, long epoch, String node, String raw) {
    }

    /**
     * Any CloudEvent of the topic: its type, subject (volume or node), {@code data.phase} (for errors and
     * holds: the reason) and {@code data.details}.
     */
    public record Event(long receivedMillis, String type, String subject, String phase, JsonNode details) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final KafkaConsumer<String, String> consumer;
    private final List<Phase> phases = new CopyOnWriteArrayList<>();
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final List<Consumer<Phase>> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public PhaseFeed(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "chaos-phase-feed-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
        consumer = new KafkaConsumer<>(p);
        consumer.subscribe(List.of(topic));
        thread = new Thread(this::run, "chaos-phase-feed");
        thread.setDaemon(true);
        thread.start();
    }

    public void onPhase(Consumer<Phase> listener) {
        listeners.add(listener);
    }

    public List<Phase> phases() {
        return new ArrayList<>(phases);
    }

    public List<Phase> phases(String volume) {
        return phases.stream().filter(p -> p.volume().equals(volume)).toList();
    }

    /** Every event of the topic so far, in arrival order. */
    public List<Event> events() {
        return new ArrayList<>(events);
    }

    /** Events of {@code type} about {@code subject}. */
    public List<Event> events(String type, String subject) {
        return events.stream().filter(e -> e.type().equals(type) && e.subject().equals(subject)).toList();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    parseEvent(r.value()).ifPresent(events::add);
                    parse(r.value()).ifPresent(ph -> {
                        phases.add(ph);
                        listeners.forEach(l -> l.accept(ph));
                    });
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    static java.util.Optional<Phase> parse(String value) {
        try {
            JsonNode e = JSON.readTree(value);
            if (!"dev.relocator.volume.phase.changed".equals(e.path("type").asText())) {
                return java.util.Optional.empty();
            }
            JsonNode d = e.path("data");
            JsonNode details = d.path("details");
            String node = firstText(details, "node", "target", "source");
            return java.util.Optional.of(new Phase(System.currentTimeMillis(), e.path("subject").asText(), d.path("phase").asText(),
                    d.path("epoch").asLong(-1), node, value));
        } catch (Exception ex) {
            return java.util.Optional.empty();
        }
    }

    static java.util.Optional<Event> parseEvent(String value) {
        try {
            JsonNode e = JSON.readTree(value);
            JsonNode d = e.path("data");
            return java.util.Optional.of(new Event(System.currentTimeMillis(), e.path("type").asText(), e.path("subject").asText(),
                    d.path("phase").asText(), d.path("details")));
        } catch (Exception ex) {
            return java.util.Optional.empty();
        }
    }

    private static String firstText(JsonNode n, String... keys) {
        for (String k : keys) {
            if (n.hasNonNull(k) && !n.path(k).asText().isBlank()) {
                return n.path(k).asText();
            }
        }
        return "";
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
