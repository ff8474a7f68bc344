package dev.relocator.docker.node;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import dev.relocator.core.model.VolumeSpec;
import dev.relocator.docker.DockerClients;
import dev.relocator.testkit.docker.DockerEngine;
import dev.relocator.testkit.docker.TestResources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's port on the real engine: one container listing answers for every volume, and a prepare runs off the
 * caller's thread, its helper container exempt from fencing only while that very prepare is in flight.
 */
class LocalDockerAdapterIT {

    private DockerClients docker;
    private TestResources resources;
    private LocalDockerAdapter adapter;
    private final List<String> preparedVolumes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        docker = DockerEngine.connect();
        resources = new TestResources(docker.requests());
        LocalNodeOperations ops = new LocalNodeOperations(docker.requests());
        adapter = new LocalDockerAdapter(docker.requests(), ops, ops, resources.image(), Duration.ofSeconds(30), 2);
    }

    @AfterEach
    void tearDown() {
        if (adapter != null) {
            adapter.close();
        }
        if (resources != null) {
            resources.close(); // containers first: a prepared volume is removable only once nothing uses it
        }
        for (String v : preparedVolumes) {
            // a helper of a prepare still running when a test failed: not labelled for this run
            docker.requests().listContainersCmd().withShowAll(true).withVolumeFilter(List.of(v)).exec()
                    .forEach(c -> docker.requests().removeContainerCmd(c.getId()).withForce(true).exec());
            try {
                docker.requests().removeVolumeCmd(v).exec();
            } catch (NotFoundException ignored) {
                // never created
            }
        }
        if (docker != null) {
            docker.close();
        }
    }

    private String volume(String base) {
        String name = resources.name(base);
        docker.requests().createVolumeCmd().withName(name).withLabels(resources.labels()).exec();
        return name;
    }

    private boolean running(String id) {
        return Boolean.TRUE.equals(docker.requests().inspectContainerCmd(id).exec().getState().getRunning());
    }

    @Test
    void oneListingAnswersForEveryVolumeWithOnlyItsLiveContainers() {
        String a = volume("a");
        String b = volume("b");
        String idle = volume("idle");
        String a1 = resources.runWithVolume(resources.name("a1"), a);
        String a2 = resources.runWithVolume(resources.name("a2"), a);
        String b1 = resources.runWithVolume(resources.name("b1"), b);
        String exited = resources.run(resources.name("idle1"), idle, "true");
        await("the short-lived container exited").atMost(Duration.ofSeconds(30)).until(() -> !running(exited));

        Map<String, List<String>> live = adapter.containersMounting(List.of(a, b, idle));

        assertEquals(List.of(a, b, idle), List.copyOf(live.keySet()), "every volume asked for is a key, in order");
        assertEquals(java.util.Set.of(a1, a2), java.util.Set.copyOf(live.get(a)));
        assertEquals(List.of(b1), live.get(b));
        assertEquals(List.of(), live.get(idle), "an exited container is not a writer");
        assertEquals(live.get(a).size(), adapter.containersMounting(a).size(), "the one-volume form agrees");
        assertEquals(Map.of(), adapter.containersMounting(List.of()), "nothing asked, nothing listed");
    }

    @Test
    void aPrepareRunsOffTheCallerAndItsHelperIsExemptOnlyWhileItIsInFlight() throws Exception {
        Path shared = resources.sharedDirectory("prep");
        String name = resources.name("prep");
        preparedVolumes.add(name);
        VolumeSpec spec = new VolumeSpec("prep", "svc", name, "local",
                Map.of("type", "none", "o", "bind", "device", shared.toString()), "/data",
                new VolumeSpec.Ownership(4242, 4343, "0750"), VolumeSpec.MountOptions.SAFE, Duration.ofSeconds(4), false,
                List.of(), VolumeSpec.TaskFailurePolicy.RELOCATE);

        assertEquals(Optional.empty(), adapter.prepareAndVerify(spec), "the first call only starts it");
        await("the prepare created the reference").atMost(Duration.ofSeconds(60))
                .until(() -> docker.requests().listVolumesCmd().exec().getVolumes().stream().anyMatch(v -> v.getName().equals(name)));
        // a container that looks like this adapter's helper, and a workload, both on the volume being prepared
        Map<String, String> helperLabels = new HashMap<>(resources.labels());
        helperLabels.put(LocalNodeOperations.ROLE_LABEL, LocalNodeOperations.OWNERSHIP_HELPER);
        String lookalike = docker.requests().createContainerCmd(resources.image()).withName(resources.name("helper"))
                .withLabels(helperLabels).withCmd("sh", "-c", "sleep 3600")
                .withHostConfig(HostConfig.newHostConfig().withBinds(new Bind(name, new Volume("/v")))).exec().getId();
        docker.requests().startContainerCmd(lookalike).exec();
        String workload = resources.runWithVolume(resources.name("wl"), name);

        List<String> during = adapter.containersMounting(List.of(name)).get(name);
        assertEquals(List.of(workload), during, "while its prepare is in flight the helper is not a writer; the workload is");

        AtomicReference<Optional<Boolean>> verdict = new AtomicReference<>(Optional.empty());
        await("the prepare's verdict").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    verdict.set(adapter.prepareAndVerify(spec));
                    return verdict.get().isPresent();
                });
        assertEquals(Optional.of(true), verdict.get(), "prepared and verified");
        assertEquals(4242, (int) Files.getAttribute(shared, "unix:uid"), "ownership applied off the caller's thread");

        List<String> after = adapter.containersMounting(List.of(name)).get(name);
        assertEquals(java.util.Set.of(lookalike, workload), java.util.Set.copyOf(after),
                "no prepare in flight: a helper-labelled container is a writer like any other");
        assertTrue(running(lookalike));

        assertEquals(Optional.empty(), adapter.prepareAndVerify(spec), "a verdict is handed in once; the next call starts anew");
        await("the second prepare's verdict").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> adapter.prepareAndVerify(spec).isPresent()); // nothing left in flight for the clean-up
    }
    private Optional<Boolean> awaitVerdict(VolumeSpec spec) {
        AtomicReference<Optional<Boolean>> verdict = new AtomicReference<>(Optional.empty());
        await(spec.volumeName() + " prepared").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    verdict.set(adapter.prepareAndVerify(spec));
                    return verdict.get().isPresent();
                });
        return verdict.get();
    }

    private VolumeSpec bindSpec(String base, Path device, VolumeSpec.Ownership ownership) {
        String name = resources.name(base);
        preparedVolumes.add(name);
        return new VolumeSpec(base, "svc", name, "local", Map.of("type", "none", "o", "bind", "device", device.toString()), "/data",
                ownership, VolumeSpec.MountOptions.SAFE, Duration.ofSeconds(4), false, List.of(), VolumeSpec.TaskFailurePolicy.RELOCATE);
    }

    /** Helper containers the engine created since {@code sinceNanos} (wall clock), from its own event log. */
    private long helpersCreatedSince(long sinceNanos) throws InterruptedException {
        List<String> created = new java.util.concurrent.CopyOnWriteArrayList<>();
        String since = (sinceNanos / 1_000_000_000L) + "." + String.format("%09d", sinceNanos % 1_000_000_000L);
        String until = String.valueOf(System.currentTimeMillis() / 1000 + 1);
        docker.requests().eventsCmd().withSince(since).withUntil(until).withEventFilter("create")
                .withLabelFilter(Map.of(LocalNodeOperations.ROLE_LABEL, LocalNodeOperations.OWNERSHIP_HELPER))
                .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Event>() {
                    @Override
                    public void onNext(com.github.dockerjava.api.model.Event e) {
                        created.add(e.getId());
                    }
                }).awaitCompletion(30, java.util.concurrent.TimeUnit.SECONDS);
        return created.size();
    }

    private static long wallNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Test
    void theFlagsOfABindsStorageAreReadOnceAndOwnershipAlwaysGetsItsHelper() throws Exception {
        Path first = resources.sharedDirectory("flags1");
        Path second = resources.sharedDirectory("flags2");
        assertEquals(first.getParent(), second.getParent(), "two volumes on one storage directory");
        long t0 = wallNanos();
        assertEquals(Optional.of(true), awaitVerdict(bindSpec("flags1", first, VolumeSpec.Ownership.UNCHANGED)));
        assertEquals(1, helpersCreatedSince(t0), "the first bind on this storage: one helper reads its mount flags");

        long t1 = wallNanos();
        assertEquals(Optional.of(true), awaitVerdict(bindSpec("flags2", second, VolumeSpec.Ownership.UNCHANGED)));
        assertEquals(0, helpersCreatedSince(t1), "the same storage again, no ownership asked: nothing a helper sees changes the verdict");

        long t2 = wallNanos();
        Path third = resources.sharedDirectory("flags3");
        assertEquals(Optional.of(true), awaitVerdict(bindSpec("flags3", third, new VolumeSpec.Ownership(4242, 4343, "0750"))));
        assertEquals(2, helpersCreatedSince(t2), "ownership is applied and then checked by a helper every time");
        assertEquals(4242, (int) Files.getAttribute(third, "unix:uid"));
    }
    @Test
    void aReferenceRemovalRunsOffTheCallerAndKeepsTheData() throws Exception {
        Path shared = resources.sharedDirectory("rm");
        Files.writeString(shared.resolve("keep.txt"), "data");
        VolumeSpec spec = bindSpec("rm", shared, VolumeSpec.Ownership.UNCHANGED);
        assertEquals(Optional.of(true), awaitVerdict(spec));
        assertTrue(!adapter.removeReference(spec.volumeName(), false), "the first call only starts it");
        await("the reference removed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> adapter.removeReference(spec.volumeName(), false));
        assertTrue(!adapter.volumePresent(spec.volumeName()), "the node-local reference is gone");
        assertEquals("data", Files.readString(shared.resolve("keep.txt")), "the data is not");
    }
}
