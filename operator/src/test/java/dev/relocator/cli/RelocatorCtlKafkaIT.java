package dev.relocator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relocator.testkit.kafka.KafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** relocatorctl watch --kafka against a real broker (the test kit's child-JVM KRaft broker). */
class RelocatorCtlKafkaIT {

    static String event(String id, String volume, String phase, int epoch) {
        return """
                {"specversion":"1.0","id":"%s","type":"dev.relocator.volume.phase.changed","source":"relocator://test",
                 "subject":"%s","time":"2026-12-04T10:00:00Z","datacontenttype":"application/json",
                 "data":{"kind":"volume","epoch":%d,"phase":"%s","sequence":1,"boot":"b1","details":{}}}
                """.formatted(id, volume, epoch, phase).replace("\n", "");
    }

    @Test
    void watchReadsTheEventTopicFilteredByVolume() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.builder().name("ctl-watch").start()) {
            kafka.createTopic("relocator.events", 1, Map.of());
            try (KafkaProducer<String, String> p = new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(), new StringSerializer())) {
                p.send(new ProducerRecord<>("relocator.events", "other", event("e1", "other", "Attached", 1))).get();
                p.send(new ProducerRecord<>("relocator.events", "pgdata", event("e2", "pgdata", "Fencing", 7))).get();
            }
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = RelocatorCtl.run(new String[] {"watch", "--kafka", kafka.bootstrapServers(), "--volume", "pgdata",
                    "--from-beginning", "--count", "1", "-o", "json"}, new PrintWriter(out, true), new PrintWriter(err, true));
            assertEquals(0, code, err.toString());
            List<String> lines = out.toString().lines().toList();
            assertEquals(1, lines.size(), out.toString());
            assertEquals("e2", new ObjectMapper().readTree(lines.get(0)).path("id").asText());

            StringWriter table = new StringWriter();
            code = RelocatorCtl.run(new String[] {"watch", "--kafka", kafka.bootstrapServers(), "--from-beginning", "--count", "2"},
                    new PrintWriter(table, true), new PrintWriter(err, true));
            assertEquals(0, code, err.toString());
            assertTrue(table.toString().startsWith("TIME") && table.toString().contains("pgdata") && table.toString().contains("Fencing"),
                    table.toString());

            code = RelocatorCtl.run(new String[] {"watch", "--kafka", kafka.bootstrapServers(), "--topic", "no.such.topic",
                    "--request-timeout", "3"}, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
            assertEquals(ExitCode.NOT_FOUND, code, err.toString());
        }
    }
}
