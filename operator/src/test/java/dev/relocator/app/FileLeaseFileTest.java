package dev.relocator.app;

import dev.relocator.core.ports.LeaseFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileLeaseFileTest {

    private static final long MS = 1_000_000L;

    @Test
    void theDeadlineCrossesToTheUptimeClockAsADifference(@TempDir Path dir) throws Exception {
        AtomicLong uptime = new AtomicLong(50_000);
        FileLeaseFile file = new FileLeaseFile(dir.resolve("lease"), uptime::get);
        // agent clock at 7 000 ms, deadline 4 000 ms later
        file.write(new LeaseFile.Content(11_000 * MS, Map.of("pgdata", 7L), Map.of("pgdata", 42L, "cache", 3L)), 7_000 * MS);

        String text = Files.readString(dir.resolve("lease"));
        assertTrue(text.contains("deadline_uptime_ms=54000\n"), text);
        assertTrue(text.contains("allowed=pgdata:7\n"), text);
        assertTrue(text.contains("seen=cache:3,pgdata:42\n"), text);

        // a restarted agent reads it 1 s of uptime later, with a fresh monotonic origin
        uptime.set(51_000);
        LeaseFile.Content back = file.read(100 * MS).orElseThrow();
        assertEquals(100 * MS + 3_000 * MS, back.deadlineNanos(), "3 s of the lease are left");
        assertEquals(Map.of("pgdata", 7L), back.allowed());
        assertEquals(Map.of("pgdata", 42L, "cache", 3L), back.seenRevisions());
    }

    @Test
    void noFileOrADamagedFileGrantsNothing(@TempDir Path dir) throws Exception {
        FileLeaseFile file = new FileLeaseFile(dir.resolve("lease"), () -> 1_000);
        assertTrue(file.read(0).isEmpty());
        Files.writeString(dir.resolve("lease"), "deadline_uptime_ms=abc\nallowed=pgdata\n");
        assertTrue(file.read(0).isEmpty());
    }

    @Test
    void aLapsedLeaseIsWrittenAsZeroSoTheWrapperStopsEverything(@TempDir Path dir) throws Exception {
        FileLeaseFile file = new FileLeaseFile(dir.resolve("lease"), () -> 9_000);
        file.write(new LeaseFile.Content(0, Map.of(), Map.of("pgdata", 5L)), 123);
        assertTrue(Files.readString(dir.resolve("lease")).startsWith("deadline_uptime_ms=0\nallowed=\n"));
        assertEquals(0, file.read(456).orElseThrow().deadlineNanos());
        assertTrue(Files.notExists(dir.resolve("lease.tmp")), "the temp file was renamed over the lease");
    }
}
