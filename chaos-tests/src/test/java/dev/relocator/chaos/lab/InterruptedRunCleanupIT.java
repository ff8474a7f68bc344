package dev.relocator.chaos.lab;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A lab whose JVM is interrupted (SIGTERM: the shutdown hook cleans up) or killed (SIGKILL: the
 * next lab start removes the leftovers) leaves nothing behind.
 */
class InterruptedRunCleanupIT {

    private final DockerClient docker = SwarmLab.engine();

    /** The child JVM's output, shown when an assertion fails (its shutdown hook logs what it could not remove). */
    private final StringBuffer childOutput = new StringBuffer();

    @Test
    void anInterruptedRunCleansUpInItsShutdownHook() throws Exception {
        Process p = startLabJvm();
        String runId = awaitLabUp(p);
        assertFalse(containers(runId).isEmpty());
        p.destroy();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), () -> "the lab JVM ends after SIGTERM; its output:\n" + childOutput);
        assertGone(runId);
    }

    @Test
    void aKilledRunIsRemovedByTheNextLabStart() throws Exception {
        Process p = startLabJvm();
        String runId = awaitLabUp(p);
        p.destroyForcibly();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertFalse(containers(runId).isEmpty(), "SIGKILL runs no hook: the leftovers are still there");
        LabCleanup.removeOrphans(docker, SwarmLab.RUNS_ROOT);
        assertGone(runId);
    }

    private void assertGone(String runId) {
        try {
            Awaitility.await(runId + " removed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> containers(runId).isEmpty()
                            && docker.listNetworksCmd().withFilter("label", List.of(LabCleanup.LABEL_RUN + "=" + runId)).exec().isEmpty()
                            && Files.notExists(SwarmLab.RUNS_ROOT.resolve(runId)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; left: containers " + containers(runId).size()
                    + ", networks " + docker.listNetworksCmd().withFilter("label", List.of(LabCleanup.LABEL_RUN + "=" + runId)).exec().size()
                    + ", run directory " + left(SwarmLab.RUNS_ROOT.resolve(runId)) + "; the lab JVM's output:\n" + childOutput, e);
        }
    }

    private static String left(Path dir) {
        if (Files.notExists(dir)) {
            return "gone";
        }
        try (var files = Files.walk(dir)) {
            return "still there: " + files.limit(30).map(p -> dir.relativize(p).toString()).toList();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return "still there (" + e.getMessage() + ")";
        }
    }

    private List<?> containers(String runId) {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(LabCleanup.LABEL_RUN, runId)).exec();
    }

    private Process startLabJvm() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                LabMain.class.getName(), "1", "1").redirectErrorStream(true);
        pb.environment().put("TESTCONTAINERS_RYUK_DISABLED", "true");
        pb.environment().put("TESTCONTAINERS_HOST_OVERRIDE", "localhost");
        return pb.start();
    }

    /** Reads the child's output until it reports its lab; the rest is drained so the child never blocks. */
    private String awaitLabUp(Process p) throws Exception {
        CompletableFuture<String> up = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    childOutput.append(line).append('\n');
                    if (line.startsWith("LAB UP ")) {
                        up.complete(line.split(" ")[2]);
                    }
                }
                up.completeExceptionally(new IllegalStateException("the lab JVM ended before its lab was up"));
            } catch (Exception e) {
                up.completeExceptionally(e);
            }
        }, "lab-jvm-output");
        reader.setDaemon(true);
        reader.start();
        return up.get(180, TimeUnit.SECONDS);
    }
}
