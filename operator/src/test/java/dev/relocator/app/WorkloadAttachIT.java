package dev.relocator.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.docker.DockerClients;
import dev.relocator.docker.swarm.RelocatorLabels;
import dev.relocator.docker.swarm.SwarmAdapter;
import dev.relocator.docker.swarm.ServiceSnapshot;
import dev.relocator.testkit.docker.DockerEngine;
import dev.relocator.testkit.docker.TestResources;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole chain on one node: a service opted in by label is adopted or placed by the
 * controller (CAS updates on the real service), the agent prepares the volume when told to
 * over HTTP (driver options, nosuid/nodev, ownership), and the workload runs pinned.
 */
@QuarkusTest
@QuarkusTestResource(value = SingleNodeSwarmResource.class, restrictToAnnotatedClass = true)
class WorkloadAttachIT {

    private DockerClients docker;
    private TestResources resources;
    private SwarmAdapter swarm;
    private final List<String> volumes = new java.util.ArrayList<>();

    @BeforeEach
    void setUp() {
        docker = DockerEngine.connect();
        resources = new TestResources(docker.requests());
        swarm = new SwarmAdapter(docker.requests());
    }

    @AfterEach
    void tearDown() {
        resources.close();
        // the agent created these volumes with Relocator's labels, not the test's: remove them by name
        for (String v : volumes) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                try {
                    docker.requests().removeVolumeCmd(v).exec();
                } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
                    return true;
                }
                return true;
            });
        }
        docker.close();
    }

    private String createService(String base, Path shared, int replicas, Map<String, String> extraLabels) {
        String name = resources.name(base);
        String volume = resources.name(base + "-vol");
        volumes.add(volume);
        dev.relocator.testkit.docker.TestWorkloads.create(docker.requests(), resources, name, volume, shared, replicas, extraLabels);
        return name;
    }

    private String self() {
        return swarm.role().nodeId();
    }

    @Test
    void aRunningWorkloadIsAdoptedAndPinnedWhereItRuns() {
        Path shared = resources.sharedDirectory("adopt");
        String service = createService("adopt", shared, 1, Map.of());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            ServiceSnapshot s = swarm.service(service).orElseThrow();
            assertEquals("Attached", s.labels().get(RelocatorLabels.PHASE), () -> "labels " + s.labels());
            assertEquals(self(), s.labels().get(RelocatorLabels.NODE));
            assertEquals(self(), s.pinnedNode().orElse(null), () -> "constraints " + s.constraints());
        });
        assertTrue(Files.exists(shared.resolve("log")), "the workload writes to the shared storage");
    }

    @Test
    void aNewWorkloadIsPlacedPreparedWithOwnershipAndStarted() throws Exception {
        Path shared = resources.sharedDirectory("place");
        String service = createService("place", shared, 0, Map.of("relocator.dev/uid", "4321", "relocator.dev/gid", "4322",
                "relocator.dev/mode", "0770"));
        String volume = volumes.get(volumes.size() - 1);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            ServiceSnapshot s = swarm.service(service).orElseThrow();
            assertEquals("Attached", s.labels().get(RelocatorLabels.PHASE), () -> "labels " + s.labels());
            assertEquals(self(), s.pinnedNode().orElse(null));
            assertEquals(1L, s.replicas().orElseThrow());
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(shared.resolve("log")));
        var v = docker.requests().inspectVolumeCmd(volume).exec();
        assertEquals("bind,nosuid,nodev", v.getOptions().get("o"), "the agent created the volume with the mount flags");
        assertEquals("true", v.getLabels().get(RelocatorLabels.RELOCATABLE));
        assertEquals(4321, (int) Files.getAttribute(shared, "unix:uid"));
        assertEquals(4322, (int) Files.getAttribute(shared, "unix:gid"));
        assertEquals("rwxrwx---", PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)));
    }
}
