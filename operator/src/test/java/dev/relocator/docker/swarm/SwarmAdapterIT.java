package dev.relocator.docker.swarm;

import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.ServiceModeConfig;
import com.github.dockerjava.api.model.ServiceReplicatedModeOptions;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.TaskSpec;
import dev.relocator.docker.DockerClients;
import dev.relocator.testkit.docker.DockerEngine;
import dev.relocator.testkit.docker.TestResources;
import dev.relocator.testkit.docker.TestSwarm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Swarm adapter against a real single-node swarm on loopback. */
class SwarmAdapterIT {

    private static DockerClients docker;
    private static TestSwarm swarm;
    private static TestResources resources;
    private static SwarmAdapter adapter;

    @BeforeAll
    static void setUp() {
        docker = DockerEngine.connect();
        swarm = TestSwarm.ensure(docker.requests());
        resources = new TestResources(docker.requests());
        adapter = new SwarmAdapter(docker.requests());
    }

    @AfterAll
    static void tearDown() {
        if (resources != null) {
            resources.close();
        }
        if (swarm != null) {
            swarm.close();
        }
        if (docker != null) {
            docker.close();
        }
    }

    private String createService(String base) {
        String name = resources.name(base);
        ServiceSpec spec = new ServiceSpec()
                .withName(name)
                .withLabels(new HashMap<>(Map.of("relocator.dev/testkit", "true", "relocator.dev/test-run", resources.runId(),
                        RelocatorLabels.VOLUME, "vol-" + resources.runId())))
                .withMode(new ServiceModeConfig().withReplicated(new ServiceReplicatedModeOptions().withReplicas(1)))
                .withTaskTemplate(new TaskSpec().withContainerSpec(new ContainerSpec()
                        .withImage(resources.image())
                        .withCommand(List.of("sleep", "3600"))
                        .withLabels(resources.labels())));
        return docker.requests().createServiceCmd(spec).exec().getId();
    }

    @Test
    void thisNodeIsTheLeaderManager() {
        SwarmRole role = adapter.role();
        assertTrue(role.active(), () -> "swarm active: " + role);
        assertTrue(role.manager(), "manager");
        assertTrue(role.leader(), "leader of a single-node swarm");
        assertEquals(swarm.nodeId(), role.nodeId());

        List<NodeInfo> nodes = adapter.nodes();
        NodeInfo self = nodes.stream().filter(n -> n.id().equals(role.nodeId())).findFirst().orElseThrow();
        assertTrue(self.ready(), () -> "ready: " + self);
        assertTrue(self.manager());
        assertTrue(self.leader());
        assertEquals("active", self.availability());
        assertFalse(self.address().isEmpty());
    }

    @Test
    void compareAndSwapUpdateWinsOnceAndAStaleVersionChangesNothing() {
        String id = createService("cas");
        String node = adapter.role().nodeId();
        ServiceSnapshot v1 = adapter.service(id).orElseThrow();
        assertTrue(v1.pinnedNode().isEmpty());
        assertEquals("vol-" + resources.runId(), v1.labels().get(RelocatorLabels.VOLUME));

        adapter.update(v1, spec -> {
            Placement.pin(spec, node);
            spec.withLabels(RelocatorLabels.withAttachment(spec.getLabels(), node, 1, "Attached"));
            return spec;
        });
        ServiceSnapshot v2 = adapter.service(id).orElseThrow();
        assertTrue(v2.version() > v1.version(), "the version moved on");
        assertEquals(node, v2.pinnedNode().orElseThrow());
        assertEquals("1", v2.labels().get(RelocatorLabels.EPOCH));

        // a second writer still holding v1 (a deposed controller) must lose, and change nothing
        ServiceSnapshot staleCopy = adapter.service(id).map(s -> v1).orElseThrow();
        StaleVersionException stale = assertThrows(StaleVersionException.class, () -> adapter.update(staleCopy, spec -> {
            spec.withLabels(RelocatorLabels.withAttachment(spec.getLabels(), node, 99, "Starting"));
            return spec;
        }));
        assertEquals(v1.version(), stale.staleVersion());
        ServiceSnapshot after = adapter.service(id).orElseThrow();
        assertEquals(v2.version(), after.version(), "nothing was written");
        assertEquals("1", after.labels().get(RelocatorLabels.EPOCH));
        assertEquals(v2.constraints(), after.constraints());
    }

    @Test
    void tasksReportTheirNodeAndState() {
        String id = createService("tasks");
        String node = adapter.role().nodeId();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<TaskInfo> tasks = adapter.tasks(id);
            assertFalse(tasks.isEmpty(), "a task exists");
            TaskInfo task = tasks.get(0);
            assertEquals(node, task.nodeId());
            assertEquals("running", task.state(), () -> "task " + task);
            assertFalse(task.containerId().isEmpty());
        });
        assertTrue(adapter.servicesWithLabel(RelocatorLabels.VOLUME, null).stream().anyMatch(s -> s.id().equals(id)));
        assertTrue(adapter.servicesWithLabel(RelocatorLabels.VOLUME, "vol-" + resources.runId()).stream().anyMatch(s -> s.id().equals(id)));
        assertTrue(adapter.servicesWithLabel(RelocatorLabels.VOLUME, "no-such-volume").isEmpty());
        assertTrue(adapter.service("rt-no-such-service-" + resources.runId()).isEmpty());
    }
}
