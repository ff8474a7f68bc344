package dev.relocator.chaos.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fencing wrapper under the same busybox the workload image is made of (host's
 * /bin/busybox, applets linked into a private PATH), against hand-written lease files in the
 * agent's format (FileLeaseFile).
 */
class FenceWrapperTest {

    @TempDir
    Path dir;
    Path wrapper;
    Path lease;
    Path bin;

    @BeforeEach
    void setUp() throws IOException {
        wrapper = dir.resolve("fence-wrapper.sh");
        try (InputStream in = OperatorStack.class.getResourceAsStream("fence-wrapper.sh")) {
            Files.copy(in, wrapper);
        }
        lease = dir.resolve("lease");
        bin = Files.createDirectories(dir.resolve("bin"));
        for (String applet : List.of("sh", "awk", "kill", "sleep", "cat", "echo")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("/bin/busybox"));
        }
    }

    static long uptimeMs() throws IOException {
        return Math.round(Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]) * 1000);
    }

    void writeLease(long deadlineFromNowMs, String allowed) throws IOException {
        long deadline = deadlineFromNowMs == Long.MIN_VALUE ? 0 : uptimeMs() + deadlineFromNowMs;
        Files.writeString(lease, "deadline_uptime_ms=" + deadline + "\nallowed=" + allowed + "\nseen=vol-a:42\n");
    }

    Process run(String epoch, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(bin.resolve("sh").toString(), wrapper.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", bin.toString());
        pb.environment().put("RELOCATOR_LEASE_FILE", lease.toString());
        pb.environment().put("RELOCATOR_VOLUME", "vol-a");
        pb.environment().put("RELOCATOR_EPOCH", epoch);
        pb.environment().put("RELOCATOR_CHECK_S", "0.1");
        return pb.start();
    }

    int check(String epoch) throws Exception {
        Process p = run(epoch, "--check");
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return p.exitValue();
    }

    @Test
    void grantsOnlyTheListedVolumeAtItsEpochBeforeTheKillPoint() throws Exception {
        writeLease(3000, "other:1,vol-a:7");
        assertEquals(0, check("7"));
        assertEquals(1, check("6"), "an older epoch is not granted");
        assertEquals(1, check(""), "a task without an epoch label is not granted");
        writeLease(800, "vol-a:7");
        assertEquals(1, check("7"), "within the 1 s kill budget of the deadline: no longer granted");
        writeLease(Long.MIN_VALUE, "vol-a:7");
        assertEquals(1, check("7"), "deadline 0 (no lease) grants nothing");
        Files.delete(lease);
        assertEquals(1, check("7"), "no lease file grants nothing");
    }

    @Test
    void refusesToStartWithoutAGrant() throws Exception {
        writeLease(3000, "vol-a:6");
        Process p = run("7", "sleep", "30");
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the wrapper must not start the workload");
        assertEquals(75, p.exitValue());
    }

    @Test
    void killsTheWorkloadWhenTheGrantIsRevoked() throws Exception {
        writeLease(60_000, "vol-a:7");
        Process p = run("7", "sleep", "30");
        Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(p::isAlive);
        long t0 = System.nanoTime();
        writeLease(60_000, "");
        assertTrue(p.waitFor(5, TimeUnit.SECONDS), "the wrapper must kill its workload once the grant is gone");
        assertEquals(75, p.exitValue());
        assertTrue(System.nanoTime() - t0 < Duration.ofMillis(1500).toNanos(), "within a few checks");
    }

    @Test
    void killsTheWorkloadAtTheKillPointOfALeaseNobodyRenews() throws Exception {
        writeLease(2500, "vol-a:7");
        Process p = run("7", "sleep", "30");
        assertTrue(p.waitFor(6, TimeUnit.SECONDS), "the wrapper must kill its workload at deadline - killBudget");
        assertEquals(75, p.exitValue());
    }
}
