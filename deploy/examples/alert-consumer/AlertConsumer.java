import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Sample consumer of Relocator's state-change stream, on the plain Kafka client only.
 * Turns Failed phases, fences and lease losses into one alert line each on stdout;
 * resync snapshots (the publisher's buffer overflowed while Kafka was down) become a
 * notice on stderr, and a snapshot in phase Failed is an alert too.
 *
 * Run it with the single-file source launcher (Java 11+), see README.md:
 *   java -cp kafka-clients-4.1.2.jar:slf4j-api-2.0.17.jar AlertConsumer.java \
 *        --bootstrap-servers broker:9092 [--topic relocator.events] [--group relocator-alerts]
 *        [--from-beginning] [--to-end] [--command-config client.properties]
 *
 * --to-end reads what the topic holds when it starts, then exits (no consumer group);
 * otherwise it runs until killed, as a member of --group, committing what it has printed.
 */
public class AlertConsumer {

    public static void main(String[] args) throws IOException {
        Map<String, String> opts = parse(args);
        String bootstrap = opts.get("bootstrap-servers");
        if (bootstrap == null) {
            System.err.println("usage: AlertConsumer --bootstrap-servers host:port [--topic relocator.events] "
                    + "[--group relocator-alerts] [--from-beginning] [--to-end] [--command-config client.properties]");
            System.exit(2);
        }
        String topic = opts.getOrDefault("topic", "relocator.events");
        boolean toEnd = opts.containsKey("to-end");

        Properties props = new Properties();
        if (opts.containsKey("command-config")) {
            // security.protocol, sasl.mechanism, sasl.jaas.config, ssl.* ...
            try (InputStream in = new FileInputStream(opts.get("command-config"))) {
                props.load(in);
            }
        }
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, opts.containsKey("from-beginning") ? "earliest" : "latest");
        if (!toEnd) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, opts.getOrDefault("group", "relocator-alerts"));
        }

        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            Map<TopicPartition, Long> end = null;
            if (toEnd) {
                List<TopicPartition> partitions = new ArrayList<>();
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                consumer.assign(partitions);
                if (opts.containsKey("from-beginning")) {
                    consumer.seekToBeginning(partitions);
                }
                end = consumer.endOffsets(partitions);
            } else {
                consumer.subscribe(List.of(topic));
            }
            while (true) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    handle(record);
                }
                if (toEnd && reached(consumer, end)) {
                    return;
                }
            }
        }
    }

    static boolean reached(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    static void handle(ConsumerRecord<String, String> record) {
        Map<String, Object> event;
        try {
            event = (Map<String, Object>) new Json(record.value()).value();
        } catch (RuntimeException e) {
            System.err.println("skipped non-JSON record " + record.topic() + "-" + record.partition() + "@"
                    + record.offset() + ": " + e.getMessage());
            return;
        }
        String type = String.valueOf(event.get("type"));
        String subject = String.valueOf(event.get("subject"));
        String time = String.valueOf(event.get("time"));
        Map<String, Object> data = event.get("data") instanceof Map ? (Map<String, Object>) event.get("data") : Map.of();
        Map<String, Object> details = data.get("details") instanceof Map
                ? (Map<String, Object>) data.get("details") : Map.of();
        String phase = data.get("phase") == null ? null : String.valueOf(data.get("phase"));
        Object epoch = data.get("epoch");

        switch (type) {
            case "dev.relocator.volume.phase.changed" -> {
                if ("Failed".equals(phase)) {
                    alert(time, "volume " + subject + " Failed at epoch " + epoch + why(details));
                }
            }
            case "dev.relocator.node.fence.executed" ->
                    alert(time, "node " + subject + " fenced" + why(details));
            case "dev.relocator.node.lease.lost" ->
                    alert(time, "node " + subject + " lost its lease" + why(details));
            case "dev.relocator.volume.snapshot" -> {
                System.err.println(time + " NOTICE " + subject + ": " + data.get("missed")
                        + " event(s) replaced by a resync snapshot; state now " + phase + " epoch " + epoch);
                if ("Failed".equals(phase)) {
                    alert(time, "volume " + subject + " Failed at epoch " + epoch + " (from resync snapshot)" + why(details));
                }
            }
            default -> { }
        }
    }

    static String why(Map<String, Object> details) {
        return details.isEmpty() ? "" : " " + details;
    }

    static void alert(String time, String text) {
        System.out.println(time + " ALERT " + text);
        System.out.flush();
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + args[i]);
            }
            String name = args[i].substring(2);
            boolean flag = name.equals("from-beginning") || name.equals("to-end");
            if (!flag && i + 1 >= args.length) {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            opts.put(name, flag ? "true" : args[++i]);
        }
        return opts;
    }

    /** Just enough JSON for CloudEvents: objects, arrays, strings, numbers, booleans, null. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            Object v = read();
            skip();
            if (i != s.length()) {
                throw new IllegalArgumentException("trailing characters at " + i);
            }
            return v;
        }

        private Object read() {
            skip();
            if (i >= s.length()) {
                throw new IllegalArgumentException("unexpected end");
            }
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                skip();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    skip();
                    String k = string();
                    skip();
                    expect(':');
                    m.put(k, read());
                    skip();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect('}');
                        return m;
                    }
                }
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                skip();
                if (s.charAt(i) == ']') {
                    i++;
                    return l;
                }
                while (true) {
                    l.add(read());
                    skip();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect(']');
                        return l;
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            if (s.startsWith("true", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            if (s.startsWith("null", i)) {
                i += 4;
                return null;
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("unexpected '" + c + "' at " + i);
            }
            String n = s.substring(start, i);
            return n.contains(".") || n.contains("e") || n.contains("E") ? (Object) Double.parseDouble(n) : (Object) Long.parseLong(n);
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
            i++;
            return b.toString();
        }

        private void expect(char c) {
            if (i >= s.length() || s.charAt(i) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i);
            }
            i++;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }

    static {
        // UTF-8 output regardless of the platform default, for subjects with non-ASCII names
        System.setOut(new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8));
    }
}
