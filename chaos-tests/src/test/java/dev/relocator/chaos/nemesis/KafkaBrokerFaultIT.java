package dev.relocator.chaos.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relocator.chaos.history.History;
import dev.relocator.testkit.kafka.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The nemesis' broker fault against the real KRaft broker: down means unreachable, heal means back with its data. */
class KafkaBrokerFaultIT {

    @Test
    void brokerStopMakesKafkaUnreachableAndHealBringsItBackWithItsTopics(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.builder().name("nemesis-fault").start();
             History h = new History(dir.resolve("history.jsonl"))) {
            broker.createTopic("survives");
            Nemesis nemesis = new Nemesis(null, h, Optional.of(new KafkaBrokerControl(broker)));

            nemesis.brokerStop();
            assertFalse(broker.isRunning());
            assertThrows(Exception.class, () -> topics(broker, Duration.ofSeconds(3)), "no broker answers while the fault is on");

            nemesis.healAll();
            assertTrue(broker.isRunning());
            assertTrue(topics(broker, Duration.ofSeconds(30)).contains("survives"), "the broker came back with its data");
            assertEquals(List.of("broker-stop", "broker-stop", "heal", "heal"), h.ops().stream().map(o -> o.f()).toList());
        }
    }

    private static java.util.Set<String> topics(KafkaBroker broker, Duration timeout)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        Map<String, Object> props = new HashMap<>(broker.clientProperties());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(props)) {
            return admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
