package dev.relocator.chaos.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SwarmLabIT {

    @Test
    void bringsUpASwarmWithTheOperatorFacingApiAndRemovesEverythingOnClose() throws Exception {
        SwarmLab lab = SwarmLab.start(SwarmLab.Spec.defaults());
        String runId = lab.runId();
        Path runDir = lab.runDir();
        try {
            System.out.println("[chaos] 1+2 lab bring-up " + lab.timings());
            assertEquals(java.util.Set.of("m1", "w1", "w2"), lab.readyNodes());
            assertEquals("m1", lab.leader().orElseThrow());

            // shared storage: one host directory, the same path in every node
            Files.writeString(lab.sharedDir().resolve("probe"), "x");
            assertEquals("x", lab.exec("w2", "cat", SwarmLab.SHARED_PATH + "/probe").orThrow("cat").stdout());
            // images are in every node without a registry
            assertTrue(lab.docker("w1", "image", "ls").stdout().contains("relocator-lab/workload"));

            // copy a file to a node
            Path f = Files.createTempFile("lab", ".txt");
            Files.writeString(f, "hello");
            lab.copyToNode("w1", f, "/tmp");
            assertEquals("hello", lab.exec("w1", "cat", "/tmp/" + f.getFileName()).orThrow("cat copied").stdout());
            Files.delete(f);

            // a host process bound to the gateway (where a Kafka broker will listen) is reachable
            // from a node and from a container inside a node
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress(InetAddress.getByName(lab.gatewayAddress()), 0));
                int port = server.getLocalPort();
                CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                    StringBuilder got = new StringBuilder();
                    for (int i = 0; i < 2; i++) {
                        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                            got.append(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip()).append(' ');
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    return got.toString().strip();
                });
                lab.exec("w1", "bash", "-c", "echo from-node > /dev/tcp/" + lab.gatewayAddress() + "/" + port).orThrow("tcp from node");
                lab.docker("w2", "run", "--rm", lab.images().workloadImage(), "sh", "-c",
                        "echo from-container | nc -w 3 " + lab.gatewayAddress() + " " + port).orThrow("tcp from container");
                assertEquals("from-node from-container", received.get(30, TimeUnit.SECONDS));
            }
        } finally {
            lab.close();
        }
        DockerClient docker = SwarmLab.engine();
        assertTrue(docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(LabCleanup.LABEL_RUN, runId)).exec().isEmpty(), "containers removed");
        assertTrue(docker.listNetworksCmd().withFilter("label", List.of(LabCleanup.LABEL_RUN + "=" + runId)).exec().isEmpty(),
                "network removed");
        assertTrue(Files.notExists(runDir), "run directory removed");
    }

    @Test
    void leftoversOfADeadRunAreRemovedAndALiveRunIsLeftAlone() throws Exception {
        DockerClient docker = SwarmLab.engine();
        long deadPid = deadPid();
        String dead = "lab-dead" + deadPid;
        String live = "lab-live" + ProcessHandle.current().pid();
        docker.createNetworkCmd().withName("relocator-" + dead)
                .withLabels(Map.of(LabCleanup.LABEL_RUN, dead, LabCleanup.LABEL_PID, Long.toString(deadPid))).exec();
        docker.createNetworkCmd().withName("relocator-" + live)
                .withLabels(Map.of(LabCleanup.LABEL_RUN, live, LabCleanup.LABEL_PID, LabCleanup.owner())).exec();
        Path deadDir = Files.createDirectories(SwarmLab.RUNS_ROOT.resolve(dead).resolve("shared"));
        Files.writeString(SwarmLab.RUNS_ROOT.resolve(dead).resolve("owner.pid"), Long.toString(deadPid));
        try {
            LabCleanup.removeOrphans(docker, SwarmLab.RUNS_ROOT);
            assertTrue(docker.listNetworksCmd().withNameFilter("relocator-" + dead).exec().isEmpty(), "dead run's network removed");
            assertFalse(docker.listNetworksCmd().withNameFilter("relocator-" + live).exec().isEmpty(), "live run's network kept");
            assertTrue(Files.notExists(deadDir.getParent()), "dead run's directory removed");
        } finally {
            LabCleanup.removeRun(docker, live, null);
        }
    }

    /** A pid that no process has now: a child that has exited. */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        return p.pid();
    }
}
