package dev.relocator.chaos.bench;

import dev.relocator.events.WatchedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Every CloudEvent of the operator's topic with the time it was received on the host. The event's
 * own {@code time} is set by the operator when it decides the state change; the operator runs inside
 * lab nodes that share the host's kernel clock, so {@code receivedMillis - timeMillis} is the
 * state-change-to-consumer latency without a clock-domain correction.
 */
public final class EventTap implements AutoCloseable {

    /** One received event: type, subject (volume or node id), phase, epoch, decision time, receipt time, details. */
    public record Received(String type, String subject, String phase, long epoch, long timeMillis, long receivedMillis,
                           Map<String, Object> details) {

        public long latencyMillis() {
            return receivedMillis - timeMillis;
        }
    }

    private final KafkaConsumer<String, String> consumer;
    private final List<Received> events = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    public EventTap(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-event-tap-" + System.nanoTime(),
                // only what happens from now on: a latency needs an event published while we listen
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
        consumer = new KafkaConsumer<>(p);
        consumer.subscribe(List.of(topic));
        thread = new Thread(this::run, "bench-event-tap");
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits (bounded) until the consumer owns its partitions, so nothing published afterwards is missed. */
    public void awaitAssigned(Duration bound) {
        long end = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < end) {
            synchronized (this) {
                if (assigned) {
                    return;
                }
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException("the event tap got no partition of the topic within " + bound);
    }

    private boolean assigned;

    public List<Received> events() {
        return new ArrayList<>(events);
    }

    public List<Received> since(long fromMillis) {
        return events.stream().filter(e -> e.timeMillis() >= fromMillis).toList();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    long received = System.currentTimeMillis();
                    parse(r.key(), r.value(), received).ifPresent(events::add);
                }
                if (!assigned && !consumer.assignment().isEmpty()) {
                    synchronized (this) {
                        assigned = true;
                        notifyAll();
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    static Optional<Received> parse(String key, String value, long receivedMillis) {
        try {
            WatchedEvent e = WatchedEvent.parse(key, value);
            if (e.time() == null) {
                return Optional.empty();
            }
            return Optional.of(new Received(e.type(), e.subject() == null ? "" : e.subject(), e.phase() == null ? "" : e.phase(),
                    e.epoch(), e.time().toEpochMilli(), receivedMillis, e.details()));
        } catch (RuntimeException ex) {
            return Optional.empty();
        }
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
