package dev.relocator.events;

import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the event topic and prints the events that match a filter, as a table or as JSON
 * lines: the engine of {@code relocatorctl watch}.
 *
 * <p>It uses no consumer group (it assigns every partition itself and commits nothing), so
 * any number of watchers never disturb each other or real consumers. Records that are not
 * Relocator CloudEvents are reported as such, never silently skipped.
 */
public final class EventWatcher implements AutoCloseable {

    public enum Format { TABLE, JSON }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT;
    private static final String TABLE_ROW = "%-24s %-34s %-16s %6s %-10s %6s %s";

    private final KafkaConsumer<String, String> consumer;
    private final Filter filter;
    private final Format format;

    private EventWatcher(Builder b) {
        Map<String, Object> props = new LinkedHashMap<>(b.clientProperties);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        this.filter = new Filter(b.volume, b.node, Set.copyOf(b.types));
        this.format = b.format;
        List<PartitionInfo> partitions = consumer.partitionsFor(b.topic, b.metadataTimeout);
        if (partitions == null || partitions.isEmpty()) {
            consumer.close();
            throw new IllegalArgumentException("Topic " + b.topic + " does not exist on " + b.bootstrapServers
                    + ": is the operator publishing there (relocator.events.topic)?");
        }
        List<TopicPartition> assigned = partitions.stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(assigned);
        if (b.fromBeginning) {
            consumer.seekToBeginning(assigned);
        } else {
            consumer.seekToEnd(assigned);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Which events to show; empty fields match everything. */
    public record Filter(String volume, String node, Set<String> types) {

        /**
         * A volume matches its own events; a node matches its node events and the volume events
         * whose details name it (source or target of a relocation, the attached node).
         */
        public boolean matches(WatchedEvent e) {
            if (!types.isEmpty() && !types.contains(e.type()) && types.stream().noneMatch(t -> e.type().endsWith("." + t))) {
                return false;
            }
            boolean isNode = CloudEventMapper.KIND_NODE.equals(e.kind());
            if (volume != null && (isNode || !volume.equals(e.subject()))) {
                return false;
            }
            if (node != null) {
                boolean named = isNode ? node.equals(e.subject())
                        : e.details().values().stream().anyMatch(v -> node.equals(v));
                return named;
            }
            return true;
        }
    }

    /** Polls once; returns the matching events in topic order (per partition). */
    public List<WatchedEvent> poll(Duration timeout) {
        List<WatchedEvent> out = new ArrayList<>();
        for (ConsumerRecord<String, String> r : consumer.poll(timeout)) {
            WatchedEvent e = WatchedEvent.parse(r.key(), r.value());
            if (filter.matches(e)) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Prints matching events to {@code out} until {@code keepGoing} says stop (checked after
     * every poll of at most 500 ms). A record that cannot be parsed is printed as an error
     * line and the watch goes on.
     */
    public void run(Consumer<String> out, BooleanSupplier keepGoing) {
        if (format == Format.TABLE) {
            out.accept(header());
        }
        while (keepGoing.getAsBoolean()) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                WatchedEvent e;
                try {
                    e = WatchedEvent.parse(r.key(), r.value());
                } catch (IllegalArgumentException bad) {
                    out.accept("# skipped " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + bad.getMessage());
                    continue;
                }
                if (filter.matches(e)) {
                    out.accept(render(e));
                }
            }
        }
    }

    public String render(WatchedEvent e) {
        return format == Format.JSON ? e.json() : row(e);
    }

    public static String header() {
        return String.format(Locale.ROOT, TABLE_ROW, "TIME", "TYPE", "SUBJECT", "EPOCH", "PHASE", "SEQ", "DETAILS");
    }

    public static String row(WatchedEvent e) {
        String type = e.type().startsWith("dev.relocator.") ? e.type().substring("dev.relocator.".length()) : e.type();
        String details = e.details().isEmpty() ? "" : e.details().toString();
        if (e.snapshot()) {
            details = "RESYNC: " + e.missed() + " missed " + details;
        }
        return String.format(Locale.ROOT, TABLE_ROW,
                e.time() == null ? "-" : TIME.format(e.time().truncatedTo(ChronoUnit.MILLIS)),
                type, e.subject(), e.epoch(), Objects.requireNonNullElse(e.phase(), "-"), e.sequence(), details)
                .stripTrailing();
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }

    public static final class Builder {
        private String bootstrapServers;
        private String topic = "relocator.events";
        private final Map<String, Object> clientProperties = new LinkedHashMap<>();
        private String volume;
        private String node;
        private final List<String> types = new ArrayList<>();
        private Format format = Format.TABLE;
        private boolean fromBeginning;
        private Duration metadataTimeout = Duration.ofSeconds(15);

        private Builder() {
        }

        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        /** Any Kafka consumer setting, e.g. security.protocol, sasl.mechanism, sasl.jaas.config, ssl.*. */
        public Builder clientProperties(Map<String, ?> properties) {
            this.clientProperties.putAll(properties);
            return this;
        }

        public Builder volume(String volume) {
            this.volume = volume;
            return this;
        }

        public Builder node(String node) {
            this.node = node;
            return this;
        }

        /** Full type ({@code dev.relocator.node.lease.lost}) or its tail ({@code lease.lost}). */
        public Builder type(String type) {
            this.types.add(type);
            return this;
        }

        public Builder format(Format format) {
            this.format = Objects.requireNonNull(format);
            return this;
        }

        /** Start at the oldest retained event instead of only new ones. */
        public Builder fromBeginning(boolean fromBeginning) {
            this.fromBeginning = fromBeginning;
            return this;
        }

        public Builder metadataTimeout(Duration timeout) {
            this.metadataTimeout = timeout;
            return this;
        }

        public EventWatcher build() {
            Object fromProps = clientProperties.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);
            if ((bootstrapServers == null || bootstrapServers.isBlank()) && fromProps != null) {
                bootstrapServers = fromProps.toString();
            }
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("No Kafka bootstrap servers: pass --bootstrap-servers host:port "
                        + "(or set kafka.bootstrap.servers)");
            }
            return new EventWatcher(this);
        }
    }
}
