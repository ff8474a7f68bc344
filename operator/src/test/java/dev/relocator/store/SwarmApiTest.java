package dev.relocator.store;

import dev.relocator.crd.api.StatusReason;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An engine that does not answer becomes a 503 Status that names the engine and the fix. */
class SwarmApiTest {

    @Test
    void anUnreachableEngineIsServiceUnavailable() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (SwarmApi api = new SwarmApi(URI.create("tcp://127.0.0.1:" + port), Duration.ofSeconds(2))) {
            StoreException e = assertThrows(StoreException.class, () -> api.list("/configs", Map.of()));
            assertEquals(StatusReason.ServiceUnavailable, e.status().reason());
            assertEquals(503, e.status().code());
            assertTrue(e.getMessage().contains("tcp://127.0.0.1:" + port) && e.getMessage().contains("socket is mounted"), e.getMessage());
        }
    }

    @Test
    void configNamesStayWithinSwarmsLimitAndDistinct() {
        SwarmConfigBackend b = new SwarmConfigBackend(new SwarmApi(URI.create("tcp://127.0.0.1:1"), Duration.ofSeconds(1)), "default", 3);
        String longA = "a".repeat(40) + "-x" + "b".repeat(21);
        String longB = "a".repeat(40) + "-y" + "b".repeat(21);
        String na = b.configName(ResourceKind.RELOCATABLE_VOLUME, longA, 123456789);
        String nb = b.configName(ResourceKind.RELOCATABLE_VOLUME, longB, 123456789);
        assertTrue(na.length() <= 64 && nb.length() <= 64, na + " " + nb);
        assertTrue(!na.equals(nb), "names that share a prefix keep distinct config names");
        assertEquals("relocator.default.rv.pgdata.7", b.configName(ResourceKind.RELOCATABLE_VOLUME, "pgdata", 7));
        assertEquals("relocator.default.rc.default.1", b.configName(ResourceKind.RELOCATOR_CONFIG, "default", 1));
        assertThrows(IllegalArgumentException.class, () -> new SwarmConfigBackend(null, "Bad_Scope", 3));
        assertThrows(IllegalArgumentException.class, () -> new SwarmConfigBackend(null, "ok", 0));
        b.close();
    }
}
