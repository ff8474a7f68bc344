package dev.relocator.docker.swarm;

import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.ServiceModeConfig;
import com.github.dockerjava.api.model.ServiceReplicatedModeOptions;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.TaskSpec;
import dev.relocator.docker.DockerClients;
import dev.relocator.testkit.docker.DockerEngine;
import dev.relocator.testkit.docker.TestLabels;
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
                .withLabels(new HashMap<>(Map.of(TestLabels.KEY, "true", TestLabels.RUN, resources.runId(),
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

        long newVersion = adapter.pinAndLabel(v1, node, Map.of(RelocatorLabels.NODE, node, RelocatorLabels.EPOCH, "1"));
        ServiceSnapshot v2 = adapter.service(id).orElseThrow();
        assertEquals(v2.version(), newVersion);
        assertTrue(v2.version() > v1.version(), "the version moved on");
        assertEquals(node, v2.pinnedNode().orElseThrow());
        assertEquals("1", v2.labels().get(RelocatorLabels.EPOCH));
        assertEquals("vol-" + resources.runId(), v2.labels().get(RelocatorLabels.VOLUME), "the opt-in label stays");
        assertEquals(resources.runId(), v2.labels().get(TestLabels.RUN), "labels Relocator does not own stay");

        // a second writer still holding v1 (a deposed controller) must lose, and change nothing
        StaleVersionException stale = assertThrows(StaleVersionException.class,
                () -> adapter.pinAndLabel(v1, node, Map.of(RelocatorLabels.EPOCH, "99")));
        assertEquals(v1.version(), stale.staleVersion());
        ServiceSnapshot after = adapter.service(id).orElseThrow();
        assertEquals(v2.version(), after.version(), "nothing was written");
        assertEquals("1", after.labels().get(RelocatorLabels.EPOCH));
        assertEquals(v2.constraints(), after.constraints());
    }

    @Test
    void swarmItselfRejectsAWriteRacingPastTheVersionCheck() {
        String id = createService("race");
        String node = adapter.role().nodeId();
        ServiceSnapshot v1 = adapter.service(id).orElseThrow();
        // the adapter's own version check passes; a concurrent writer lands between its read and its write
        StaleVersionException stale = assertThrows(StaleVersionException.class, () -> adapter.update(id, v1.version(), spec -> {
            adapter.pinAndLabel(v1, node, Map.of(RelocatorLabels.EPOCH, "1"));
            RawSpecs.replaceRelocatorLabels(spec, Map.of(RelocatorLabels.EPOCH, "2"));
        }));
        assertTrue(stale.getCause() != null && stale.getCause().getMessage().contains("out of sequence"),
                () -> "Swarm's own refusal: " + stale.getCause());
        assertEquals("1", adapter.service(id).orElseThrow().labels().get(RelocatorLabels.EPOCH), "the racing winner's write stands");
    }

    @Test
    void updatesKeepSpecFieldsDockerJavaDoesNotModel() {
        String name = resources.name("raw");
        var json = RawSwarmApi.json();
        var spec = json.createObjectNode();
        spec.put("Name", name);
        spec.putObject("Labels").put(TestLabels.KEY, "true").put(TestLabels.RUN, resources.runId());
        var container = spec.putObject("TaskTemplate").putObject("ContainerSpec");
        container.put("Image", resources.image());
        container.putArray("Command").add("sleep").add("3600");
        container.putArray("Ulimits").addObject().put("Name", "nofile").put("Soft", 1024).put("Hard", 2048);
        spec.putObject("Mode").putObject("Replicated").put("Replicas", 1);
        RawSwarmApi raw = new RawSwarmApi(docker.requests());
        RawSwarmApi.Reply created = raw.post("/services/create", spec);
        assertTrue(created.ok(), () -> "created: " + created.text());

        ServiceSnapshot v1 = adapter.service(name).orElseThrow();
        adapter.pinAndLabel(v1, adapter.role().nodeId(), Map.of(RelocatorLabels.EPOCH, "3"));

        var after = raw.get("/services/" + name).orElseThrow();
        assertEquals(2048, after.path("Spec").path("TaskTemplate").path("ContainerSpec").path("Ulimits").path(0).path("Hard").asInt(),
                () -> "ulimits survive: " + after.path("Spec"));
        assertEquals("3", after.path("Spec").path("Labels").path(RelocatorLabels.EPOCH).asText());
    }

    /**
     * The proof keeps the node id it read from /info; a kept id that names no node (the engine left and
     * re-joined the swarm) must not cost the leader its proof: it falls back to /info and keeps the new id.
     */
    @Test
    void theLeadershipProofKeepsItsNodeIdAndFallsBackWhenItIsStale() {
        SwarmAdapter prover = new SwarmAdapter(docker.requests());
        String node = adapter.role().nodeId();
        long before = adapter.node(node).orElseThrow().version();
        assertTrue(prover.proveLeadership(), "first proof: through /info");
        assertTrue(prover.proveLeadership(), "second proof: with the kept id");
        assertTrue(adapter.node(node).orElseThrow().version() >= before + 2, "each proof is a committed node write");
        prover.keepProofNodeId("nosuchnode0000000000000000");
        assertTrue(prover.proveLeadership(), "a stale kept id falls back to /info");
        long after = adapter.node(node).orElseThrow().version();
        assertTrue(prover.proveLeadership());
        assertTrue(adapter.node(node).orElseThrow().version() > after, "the id read again is kept and proves");
    }

    @Test
    void coreClusterPortReadsUpdatesAndProvesLeadership() throws Exception {
        String id = createService("port");
        String name = docker.requests().inspectServiceCmd(id).exec().getSpec().getName();
        String node = adapter.role().nodeId();
        SwarmClusterAdapter cluster = new SwarmClusterAdapter(adapter, adapter);

        assertTrue(cluster.confirmLeadership(), "a single-node swarm's manager is the leader and has quorum");
        assertTrue(cluster.nodes().stream().anyMatch(n -> n.id().equals(node) && n.leader() && n.manager()
                && n.state() == dev.relocator.core.model.NodeInfo.SwarmState.READY));

        dev.relocator.core.model.ServiceView view = cluster.service(name).orElseThrow();
        assertEquals(1, view.replicas());
        long next = cluster.update(name, view.version(), new dev.relocator.core.model.ServiceUpdate(
                Map.of(RelocatorLabels.PHASE, "Attached", RelocatorLabels.EPOCH, "4", RelocatorLabels.NODE, node),
                List.of("node.id==" + node), 0));
        dev.relocator.core.model.ServiceView updated = cluster.service(name).orElseThrow();
        assertEquals(next, updated.version());
        assertEquals(0, updated.replicas());
        assertEquals(List.of("node.id==" + node), updated.constraints());
        assertEquals("4", updated.labels().get(RelocatorLabels.EPOCH));

        dev.relocator.core.ports.StaleVersionException stale = assertThrows(dev.relocator.core.ports.StaleVersionException.class,
                () -> cluster.update(name, view.version(), new dev.relocator.core.model.ServiceUpdate(
                        Map.of(RelocatorLabels.EPOCH, "5"), List.of(), 1)));
        assertEquals(view.version(), stale.expected());
        assertEquals(next, stale.actual());
        assertEquals("4", cluster.service(name).orElseThrow().labels().get(RelocatorLabels.EPOCH), "nothing changed");
        assertTrue(cluster.service("rt-none-" + resources.runId()).isEmpty());
    }

    @Test
    void aHandOverIsRecordedOnlyWhileTheOperatorsOwnServiceIsUpdating() {
        String id = createService("handover");
        String name = docker.requests().inspectServiceCmd(id).exec().getSpec().getName();
        String node = adapter.role().nodeId();
        assertEquals(java.util.Optional.of("none"), adapter.updateState(name), "a service never updated");
        assertTrue(adapter.updateState("rt-none-" + resources.runId()).isEmpty());

        // the operator runs as this (idle) service: a stopping instance outside an update gets nothing, nothing is written
        SwarmClusterAdapter asService = new SwarmClusterAdapter(adapter, adapter, java.util.Optional.of(name));
        asService.recordHandover(node, 0); // an earlier test on this shared swarm may have left a record
        dev.relocator.core.ports.ClusterUnavailableException refused = assertThrows(dev.relocator.core.ports.ClusterUnavailableException.class,
                () -> asService.recordHandover(node, 60_000));
        assertTrue(refused.getMessage().contains(name) && refused.getMessage().contains("update state is none"), refused.getMessage());
        assertFalse(adapter.node(node).orElseThrow().labels().containsKey(dev.relocator.core.controller.Controller.HANDOVER_LABEL),
                "a refused hand-over writes no label");

        // an operator that does not run as a Swarm service: recorded as asked, and removed with 0
        SwarmClusterAdapter noService = new SwarmClusterAdapter(adapter, adapter, java.util.Optional.of("rt-none-" + resources.runId()));
        try {
            noService.recordHandover(node, 60_000);
            assertEquals("60000", adapter.node(node).orElseThrow().labels().get(dev.relocator.core.controller.Controller.HANDOVER_LABEL));
        } finally {
            asService.recordHandover(node, 0);
        }
        assertFalse(adapter.node(node).orElseThrow().labels().containsKey(dev.relocator.core.controller.Controller.HANDOVER_LABEL),
                "0 removes the record, whatever the update state");
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
