package dev.relocator.docker.node;

import dev.relocator.docker.DockerClients;
import dev.relocator.docker.swarm.RelocatorLabels;
import dev.relocator.testkit.docker.DockerEngine;
import dev.relocator.testkit.docker.TestResources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's hands, on the real engine, with a host directory as the shared storage. */
class LocalNodeOperationsIT {

    private DockerClients docker;
    private TestResources resources;
    private LocalNodeOperations ops;

    @BeforeEach
    void setUp() {
        docker = DockerEngine.connect();
        resources = new TestResources(docker.requests());
        // the engine is shared: this instance only ever sees this run's volumes
        ops = new LocalNodeOperations(docker.requests(),
                v -> resources.runId().equals(v.labels().get(dev.relocator.testkit.docker.TestLabels.RUN)));
    }

    @AfterEach
    void tearDown() {
        if (resources != null) {
            resources.close();
        }
        if (docker != null) {
            docker.close();
        }
    }

    private VolumeRequest sharedVolume(String base, Path dir) {
        return new VolumeRequest(resources.name(base), "local",
                Map.of("type", "none", "o", "bind", "device", dir.toString()), resources.labels(), true, true);
    }

    private boolean alive(String id) {
        return Boolean.TRUE.equals(docker.requests().inspectContainerCmd(id).exec().getState().getRunning());
    }

    @Test
    void killAndConfirmRemovesEveryWriterOfTheVolumeAndNothingElse() {
        VolumeInfo volume = ops.createVolume(sharedVolume("kill", resources.sharedDirectory("kill")));
        VolumeInfo other = ops.createVolume(sharedVolume("other", resources.sharedDirectory("other")));
        String w1 = resources.runWithVolume(resources.name("w1"), volume.name());
        String w2 = resources.runWithVolume(resources.name("w2"), volume.name());
        String bystander = resources.runWithVolume(resources.name("by"), other.name());

        List<LocalContainer> writers = ops.containersMounting(volume.name());
        assertEquals(Set.of(w1, w2), Set.copyOf(LocalNodeOperations.aliveIds(writers)));

        KillReport report = ops.killWritersOf(volume.name(), Duration.ofSeconds(10));

        assertTrue(report.confirmed(), () -> "confirmed: " + report);
        assertEquals(Set.of(w1, w2), Set.copyOf(report.killed()));
        assertFalse(alive(w1));
        assertFalse(alive(w2));
        assertTrue(alive(bystander), "a container of another volume is left alone");
        assertTrue(LocalNodeOperations.aliveIds(ops.containersMounting(volume.name())).isEmpty());
    }

    @Test
    void selfFenceKillsWritersOfRelocatableVolumesOnly() {
        VolumeInfo relocatable = ops.createVolume(sharedVolume("fence", resources.sharedDirectory("fence")));
        String plain = resources.name("plain");
        docker.requests().createVolumeCmd().withName(plain).withLabels(resources.labels()).exec();
        String writer = resources.runWithVolume(resources.name("fw"), relocatable.name());
        String unrelated = resources.runWithVolume(resources.name("pw"), plain);

        assertTrue(ops.relocatableVolumeNames().contains(relocatable.name()));
        assertFalse(ops.relocatableVolumeNames().contains(plain));

        KillReport report = ops.killAllRelocatableWriters(Duration.ofSeconds(10));
        assertTrue(report.confirmed(), () -> "confirmed: " + report);
        assertTrue(report.killed().contains(writer));
        assertFalse(report.killed().contains(unrelated));
        assertFalse(alive(writer));
        assertTrue(alive(unrelated));
    }

    @Test
    void createWithOptionsThenRemoveTheReferenceKeepsTheData() throws Exception {
        Path shared = resources.sharedDirectory("data");
        VolumeRequest request = sharedVolume("data", shared);
        VolumeInfo created = ops.createVolume(request);
        assertEquals("local", created.driver());
        assertEquals("bind,nosuid,nodev", created.options().get("o"));
        assertEquals(shared.toString(), created.options().get("device"));
        assertEquals("true", created.labels().get(RelocatorLabels.RELOCATABLE));
        assertEquals(created, ops.createVolume(request), "creating it again is a no-op");

        String writer = resources.run(resources.name("writer"), created.name(), "echo epoch-1 > /data/marker && sleep 3600");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(shared.resolve("marker")));
        assertThrows(NodeOperationException.class, () -> ops.removeVolumeReference(created.name()),
                "a live writer blocks the removal");
        assertThrows(NodeOperationException.class, () -> ops.createVolume(new VolumeRequest(request.name(), "local",
                Map.of("type", "none", "o", "bind", "device", "/nonexistent"), resources.labels(), false, false)),
                "a live writer blocks replacing the reference");

        assertTrue(ops.killWritersOf(created.name(), Duration.ofSeconds(10)).confirmed());
        assertTrue(ops.removeVolumeReference(created.name()));
        assertTrue(ops.volume(created.name()).isEmpty(), "the node-local reference is gone");
        assertEquals("epoch-1\n", Files.readString(shared.resolve("marker")), "the data stays on the shared storage");
        assertFalse(ops.removeVolumeReference(created.name()), "removing again is a no-op");
        assertTrue(docker.requests().listContainersCmd().withShowAll(true).withIdFilter(List.of(writer)).exec().isEmpty(),
                "the dead writer's reference went with it");
    }

    @Test
    void replacesAReferenceTheEngineAutoCreatedWithoutTheMountFlagsAndKeepsTheData() throws Exception {
        Path shared = resources.sharedDirectory("auto");
        Files.writeString(shared.resolve("marker"), "before");
        String name = resources.name("auto");
        // what the engine makes from a service's mount: the user's options, no nosuid/nodev, no Relocator labels
        docker.requests().createVolumeCmd().withName(name).withDriver("local")
                .withDriverOpts(Map.of("type", "none", "o", "bind", "device", shared.toString()))
                .withLabels(resources.labels()).exec();
        VolumeInfo replaced = ops.createVolume(sharedVolume("auto", shared));
        assertEquals("bind,nosuid,nodev", replaced.options().get("o"));
        assertEquals("true", replaced.labels().get(RelocatorLabels.RELOCATABLE));
        assertEquals("before", Files.readString(shared.resolve("marker")));
    }

    @Test
    void refusesToReplaceAVolumeWhoseDataLivesOnTheNode() {
        String name = resources.name("plainrepl");
        docker.requests().createVolumeCmd().withName(name).withLabels(resources.labels()).exec();
        NodeOperationException e = assertThrows(NodeOperationException.class, () -> ops.createVolume(
                new VolumeRequest(name, "local", Map.of("type", "none", "o", "bind", "device", "/tmp"), resources.labels(), true, true)));
        assertTrue(e.getMessage().contains("lives on this node"), e.getMessage());
        assertTrue(ops.volume(name).orElseThrow().options().isEmpty(), "nothing changed");
    }

    @Test
    void refusesToRemoveAVolumeWhoseDataLivesOnTheNode() {
        String name = resources.name("nodelocal");
        docker.requests().createVolumeCmd().withName(name)
                .withLabels(resources.volumeLabels(Map.of(RelocatorLabels.RELOCATABLE, "true"))).exec();
        NodeOperationException e = assertThrows(NodeOperationException.class, () -> ops.removeVolumeReference(name));
        assertTrue(e.getMessage().contains("device"), e.getMessage());
        assertTrue(ops.volume(name).isPresent(), "nothing was removed");
    }

    @Test
    void aStaleReferenceIsRemovedOnlyWhenRelocatorCreatedItAndNeverItsData() throws Exception {
        Path shared = resources.sharedDirectory("stale");
        VolumeInfo ours = ops.createVolume(sharedVolume("stale", shared));
        Files.writeString(shared.resolve("marker"), "kept");
        // same options, but created by someone else: relocatable-looking, not Relocator's
        Path foreignDir = resources.sharedDirectory("foreign");
        String foreign = resources.name("foreign");
        docker.requests().createVolumeCmd().withName(foreign).withDriver("local")
                .withDriverOpts(Map.of("type", "none", "o", "bind", "device", foreignDir.toString()))
                .withLabels(resources.volumeLabels(Map.of(RelocatorLabels.RELOCATABLE, "true"))).exec();

        NodeOperationException e = assertThrows(NodeOperationException.class, () -> ops.removeStaleReference(foreign));
        assertTrue(e.getMessage().contains("did not create"), e.getMessage());
        assertTrue(ops.volume(foreign).isPresent(), "a volume Relocator did not create stays");

        String writer = resources.runWithVolume(resources.name("stalew"), ours.name());
        assertThrows(NodeOperationException.class, () -> ops.removeStaleReference(ours.name()), "never one in use");
        assertTrue(ops.volume(ours.name()).isPresent());
        assertTrue(ops.killWritersOf(ours.name(), Duration.ofSeconds(10)).confirmed());
        assertTrue(ops.removeStaleReference(ours.name()));
        assertTrue(ops.volume(ours.name()).isEmpty(), "the stale reference is gone");
        assertEquals("kept", Files.readString(shared.resolve("marker")), "the data stays on the shared storage");
        assertFalse(ops.removeStaleReference(ours.name()), "again: nothing to do");
        assertTrue(docker.requests().listContainersCmd().withShowAll(true).withIdFilter(List.of(writer)).exec().isEmpty());
    }

    @Test
    void aPlainLocalVolumeIsNeverRemovedAsStaleEvenWithRelocatorsLabel() {
        String name = resources.name("plainstale");
        docker.requests().createVolumeCmd().withName(name)
                .withLabels(resources.volumeLabels(Map.of(RelocatorLabels.MANAGED, "true"))).exec();
        NodeOperationException e = assertThrows(NodeOperationException.class, () -> ops.removeStaleReference(name));
        assertTrue(e.getMessage().contains("device"), e.getMessage());
        assertTrue(ops.volume(name).isPresent(), "its data is the reference: it stays");
    }

    @Test
    void appliesOwnershipAndModeOnAttach() throws Exception {
        Path shared = resources.sharedDirectory("owner");
        VolumeInfo created = ops.createVolume(sharedVolume("owner", shared));
        LocalNodeOperations.RootStat root = ops.applyOwnership(created.name(), new Ownership(4242, 4343, "0750"), resources.image(), Duration.ofSeconds(30));
        assertEquals(List.of(4242, 4343, 0750), List.of(root.uid(), root.gid(), root.mode()));
        assertTrue(root.mountFlags().contains("rw"), "the helper reports the mount's flags: " + root.mountFlags());
        assertEquals(root, ops.inspectRoot(created.name(), resources.image(), Duration.ofSeconds(30)));

        assertEquals(4242, (int) Files.getAttribute(shared, "unix:uid"));
        assertEquals(4343, (int) Files.getAttribute(shared, "unix:gid"));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)));
        assertTrue(docker.requests().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(RelocatorLabels.PREFIX + "role", "ownership-helper")).exec().isEmpty(), "the helper is removed");
    }

    @Test
    void ownershipWithAMissingHelperImageSaysHowToFixIt() {
        VolumeInfo created = ops.createVolume(sharedVolume("noimg", resources.sharedDirectory("noimg")));
        NodeOperationException e = assertThrows(NodeOperationException.class, () -> ops.applyOwnership(created.name(),
                new Ownership(1, 1, "700"), "relocator-testkit/absent:0", Duration.ofSeconds(10)));
        assertTrue(e.getMessage().contains("relocator.agent.helper-image"), e.getMessage());
    }
}
