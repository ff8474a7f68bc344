package dev.relocator.chaos.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventTapTest {

    @Test
    void theLatencyIsReceiptMinusTheEventsOwnTime() {
        String json = "{\"specversion\":\"1.0\",\"id\":\"1\",\"type\":\"dev.relocator.volume.phase.changed\",\"source\":\"/relocator/c\","
                + "\"subject\":\"vol\",\"time\":\"2026-12-04T23:00:00.250Z\",\"datacontenttype\":\"application/json\","
                + "\"data\":{\"kind\":\"change\",\"epoch\":2,\"phase\":\"Fencing\",\"sequence\":7,\"boot\":\"b\",\"details\":{\"reason\":\"LeaseExpired\"}}}";
        long t = Instant.parse("2026-12-04T23:00:00.250Z").toEpochMilli();
        EventTap.Received r = EventTap.parse("vol", json, t + 42).orElseThrow();
        assertEquals("dev.relocator.volume.phase.changed", r.type());
        assertEquals("vol", r.subject());
        assertEquals("Fencing", r.phase());
        assertEquals(2, r.epoch());
        assertEquals(t, r.timeMillis());
        assertEquals(42, r.latencyMillis());
        assertEquals("LeaseExpired", r.details().get("reason"));
    }

    @Test
    void aRecordThatIsNoCloudEventOrHasNoTimeIsSkipped() {
        assertTrue(EventTap.parse("k", "not json", 0).isEmpty());
        assertTrue(EventTap.parse("k", "{\"specversion\":\"1.0\",\"type\":\"dev.relocator.error\",\"data\":{}}", 0).isEmpty());
    }
}
