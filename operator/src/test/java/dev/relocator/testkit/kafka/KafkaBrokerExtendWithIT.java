package dev.relocator.testkit.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The extension's default form: a plaintext broker on loopback, given to test methods as a parameter. */
@ExtendWith(KafkaBrokerExtension.class)
class KafkaBrokerExtendWithIT {

    @Test
    void defaultBrokerServesClients(KafkaBroker kafka) throws Exception {
        assertTrue(kafka.isRunning() && kafka.bootstrapServers().startsWith("127.0.0.1:"), kafka.toString());
        kafka.createTopic("plain", 1, Map.of());
        KafkaBrokerIT.send(kafka.clientProperties(), "plain", "v");
        assertEquals(List.of("v"), KafkaBrokerIT.readAll(kafka.clientProperties(), "plain", 1));
    }
}
