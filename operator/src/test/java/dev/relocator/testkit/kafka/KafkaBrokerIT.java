package dev.relocator.testkit.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The test kit's broker: a real child JVM, restartable with its data, SASL when asked. */
class KafkaBrokerIT {

    @Test
    void producesConsumesAndKeepsDataAcrossRestart() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.builder().name("restart").start()) {
            long firstPid = kafka.pid();
            kafka.createTopic("t", 1, Map.of());
            send(kafka.clientProperties(), "t", "before");
            String bootstrap = kafka.bootstrapServers();

            kafka.stop();
            assertFalse(kafka.isRunning());
            assertFalse(alive(firstPid), "the stopped broker's process is gone");

            kafka.start();
            assertEquals(bootstrap, kafka.bootstrapServers());
            assertNotEquals(firstPid, kafka.pid());
            send(kafka.clientProperties(), "t", "after");
            assertEquals(List.of("before", "after"), readAll(kafka.clientProperties(), "t", 2));
        }
    }

    @Test
    void saslBrokerRejectsClientsWithoutCredentials() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.builder().name("sasl").scramUser("alice", "alice-secret").start()) {
            kafka.createTopic("secure", 1, Map.of());
            send(kafka.clientProperties(), "secure", "hello");
            assertEquals(List.of("hello"), readAll(kafka.clientProperties(), "secure", 1));

            Map<String, Object> wrong = kafka.clientProperties("alice", "wrong-password");
            Exception e = assertThrows(Exception.class, () -> send(wrong, "secure", "nope"));
            assertTrue(stackText(e).contains("Authentication failed"), stackText(e));
            Map<String, Object> anonymous = Map.of("bootstrap.servers", kafka.bootstrapServers());
            assertThrows(Exception.class, () -> send(anonymous, "secure", "nope"));
        }
    }

    @Test
    void closeStopsTheProcessAndDeletesItsDirectory() {
        KafkaBroker kafka = KafkaBroker.builder().name("close").start();
        long pid = kafka.pid();
        var dir = kafka.directory();
        kafka.close();
        assertFalse(alive(pid));
        assertFalse(java.nio.file.Files.exists(dir), dir.toString());
        assertTrue(assertThrows(KafkaBrokerException.class, kafka::start).getMessage().contains("closed"));
    }

    @Test
    void brokerThatCannotStartNamesTheCauseAndTheLog() {
        KafkaBroker kafka = KafkaBroker.builder().name("broken")
                .brokerProperty("log.dirs", "/proc/relocator-not-writable")
                .startTimeout(Duration.ofSeconds(60))
                .build();
        try {
            String message = assertThrows(KafkaBrokerException.class, kafka::start).getMessage();
            assertTrue(message.contains("Broker log: ") && message.contains("broker.log"), message);
            assertTrue(message.contains("/proc/relocator-not-writable"), message);
        } finally {
            kafka.close();
        }
    }

    @Test
    void restartOnAPortTakenMeanwhileNamesThePortAndTheLog() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.builder().name("port-taken").start()) {
            String bootstrap = kafka.bootstrapServers();
            int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
            kafka.stop();
            try (java.net.ServerSocket squatter = new java.net.ServerSocket()) {
                squatter.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                String message = assertThrows(KafkaBrokerException.class, kafka::start).getMessage();
                assertTrue(message.contains("127.0.0.1:" + port), message);
                assertTrue(message.contains("broker.log") && message.contains("Address already in use"), message);
            }
            kafka.start(); // the port is free again: same address, data kept
            assertEquals(bootstrap, kafka.bootstrapServers());
        }
    }

    @Test
    void unknownListenAddressIsRejectedWithItsName() {
        KafkaBroker kafka = KafkaBroker.builder().name("bad-address").listenAddress("192.0.2.123").build();
        try {
            String message = assertThrows(KafkaBrokerException.class, kafka::start).getMessage();
            assertTrue(message.contains("192.0.2.123"), message);
        } finally {
            kafka.close();
        }
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static String stackText(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    static void send(Map<String, Object> client, String topic, String value) throws Exception {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10000);
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "k", value)).get(20, TimeUnit.SECONDS);
        }
    }

    static List<String> readAll(Map<String, Object> client, String topic, int expected) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "kit-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                return values.size() >= expected;
            });
        }
        return values;
    }
}
