package dev.relocator.testkit.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JUnit 5 extension: one broker per class, customisable, injected as a parameter. */
class KafkaBrokerExtensionIT {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.with(b -> b
            .brokerProperty("auto.create.topics.enable", "true")
            .brokerProperty("num.partitions", "2"));

    @Test
    void brokerIsRunningAndCustomised(KafkaBroker kafka) throws Exception {
        assertSame(KAFKA.broker(), kafka);
        assertTrue(kafka.isRunning());
        KafkaBrokerIT.send(kafka.clientProperties(), "auto-created", "v");   // auto-creation was switched on
        assertEquals(List.of("v"), KafkaBrokerIT.readAll(kafka.clientProperties(), "auto-created", 1));
        try (var admin = kafka.internalAdmin()) {
            assertEquals(2, admin.describeTopics(List.of("auto-created")).allTopicNames().get()
                    .get("auto-created").partitions().size(), "num.partitions=2 from the builder");
        }
        assertEquals(Map.of(), kafka.scramUsers());
    }
}
