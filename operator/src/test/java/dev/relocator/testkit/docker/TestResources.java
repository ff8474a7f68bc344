package dev.relocator.testkit.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Service;
import com.github.dockerjava.api.model.Volume;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The containers, volumes, services and directories of one test run, all labelled with the
 * run id and removed together by {@link #close()}, whatever the test's outcome.
 */
public final class TestResources implements AutoCloseable {

    private final DockerClient docker;
    private final String runId = TestLabels.newRunId();
    private final String image;
    private final List<Path> dirs = new java.util.ArrayList<>();

    public TestResources(DockerClient docker) {
        this.docker = docker;
        this.image = TestImage.ensure(docker);
    }

    public String runId() {
        return runId;
    }

    public String image() {
        return image;
    }

    public Map<String, String> labels() {
        return TestLabels.forRun(runId);
    }

    /** A unique name for this run, valid as a container, volume or service name. */
    public String name(String base) {
        return "rt-" + base + "-" + runId;
    }

    /** A host directory playing the shared storage (the engine runs on this host). */
    public Path sharedDirectory(String base) {
        try {
            Path dir = Files.createTempDirectory("relocator-it-" + base + "-" + runId);
            dirs.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A running workload container that mounts {@code volume} at /data and sleeps. */
    public String runWithVolume(String name, String volume) {
        return run(name, volume, "sleep 3600");
    }

    public String run(String name, String volume, String script) {
        CreateContainerCmd cmd = docker.createContainerCmd(image)
                .withName(name)
                .withLabels(labels())
                .withEntrypoint("sh", "-c")
                .withCmd(script)
                .withStopSignal("SIGKILL");
        HostConfig host = HostConfig.newHostConfig().withNetworkMode("none");
        if (volume != null) {
            host.withBinds(new Bind(volume, new Volume("/data")));
        }
        String id = cmd.withHostConfig(host).exec().getId();
        docker.startContainerCmd(id).exec();
        return id;
    }

    /** Labels for a volume of this run, with extra labels (e.g. relocatable=true). */
    public Map<String, String> volumeLabels(Map<String, String> extra) {
        Map<String, String> out = new HashMap<>(labels());
        out.putAll(extra);
        return out;
    }

    @Override
    public void close() {
        String filter = TestLabels.RUN + "=" + runId;
        var swarm = docker.infoCmd().exec().getSwarm();
        boolean manager = swarm != null && Boolean.TRUE.equals(swarm.getControlAvailable());
        if (manager) {
            for (Service s : docker.listServicesCmd().withLabelFilter(Map.of(TestLabels.RUN, runId)).exec()) {
                ignoreMissing(() -> docker.removeServiceCmd(s.getId()).exec());
            }
        }
        for (Container c : docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(filter)).exec()) {
            ignoreMissing(() -> docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(false).exec());
        }
        var volumes = docker.listVolumesCmd().withFilter("label", List.of(filter)).exec().getVolumes();
        if (volumes != null) {
            for (var v : volumes) {
                ignoreMissing(() -> docker.removeVolumeCmd(v.getName()).exec());
            }
        }
        for (Path dir : dirs) {
            TestImage.deleteTree(dir);
        }
    }

    private static void ignoreMissing(Runnable r) {
        try {
            r.run();
        } catch (NotFoundException ignored) {
            // already gone
        } catch (DockerException e) {
            System.err.println("[testkit] cleanup: " + e.getMessage());
        }
    }
}
