package dev.relocator.chaos.lab;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what a lab created, found by label only. At start-up it removes leftovers of earlier
 * runs whose JVM is gone (a killed or interrupted run); a live lab of another JVM is left alone.
 */
public final class LabCleanup {

    /** Every container and network of the lab carries this label; the value is the run id. */
    public static final String LABEL_RUN = "dev.relocator.lab";
    /** The pid of the JVM that owns the run: leftovers are removed only when it is gone. */
    public static final String LABEL_PID = "dev.relocator.lab.pid";
    static final String OWNER_FILE = "owner.pid";

    private static final Logger LOG = LoggerFactory.getLogger(LabCleanup.class);

    private LabCleanup() {
    }

    /** Removes containers (with their anonymous volumes) and networks of one run, and its directory. */
    public static void removeRun(DockerClient docker, String runId, Path runDir) {
        List<Container> containers = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(LABEL_RUN, runId)).exec();
        for (Container c : containers) {
            try {
                docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
            } catch (RuntimeException e) {
                LOG.warn("could not remove lab container {}: {}", c.getId(), e.getMessage());
            }
        }
        for (Network n : docker.listNetworksCmd().withFilter("label", List.of(LABEL_RUN + "=" + runId)).exec()) {
            removeNetwork(docker, n);
        }
        if (runDir != null && Files.exists(runDir)) {
            removeDirectory(runDir);
        }
    }

    /**
     * Like the network, a force-removed node's mounts under its run directory (its bind of the
     * shared storage, its nested engine's mounts) are torn down asynchronously: an rm right after
     * the removal can fail on a busy mount point (seen in CI: the shutdown hook left the run
     * directory). {@code --one-file-system} never crosses into a mount, so a retry is safe.
     */
    private static void removeDirectory(Path runDir) {
        long deadline = System.nanoTime() + DIRECTORY_REMOVAL_BOUND.toNanos();
        String last = "";
        while (true) {
            try {
                LabImages.run(List.of("rm", "-rf", "--one-file-system", runDir.toString()), runDir.getParent(), 120);
            } catch (LabException e) {
                last = e.getMessage();
            }
            if (Files.notExists(runDir)) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new LabException("could not remove " + runDir + " within " + DIRECTORY_REMOVAL_BOUND + ": " + last);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(RETRY_PAUSE.toNanos());
        }
    }

    private static final Duration DIRECTORY_REMOVAL_BOUND = Duration.ofSeconds(30);

    /**
     * dockerd releases a force-removed container's endpoint on its network asynchronously: a removal
     * right after it can fail with "has active endpoints" (seen in CI: the shutdown hook removed the
     * nodes and the run directory and left the network). Retried for a bounded time.
     */
    private static void removeNetwork(DockerClient docker, Network n) {
        // a plain bounded loop, not Awaitility: this runs in JVM shutdown hooks, and with Awaitility
        // there the hook stopped before the run directory's removal in 3 of 4 InterruptedRunCleanupIT
        // runs, printing nothing (cause not understood; without it 4 of 4 passed)
        long deadline = System.nanoTime() + NETWORK_REMOVAL_BOUND.toNanos();
        String last = "";
        while (true) {
            try {
                docker.removeNetworkCmd(n.getId()).exec();
                return;
            } catch (NotFoundException e) {
                return;
            } catch (RuntimeException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() - deadline > 0) {
                LOG.warn("could not remove lab network {} within {}: {}", n.getName(), NETWORK_REMOVAL_BOUND, last);
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(RETRY_PAUSE.toNanos());
        }
    }

    private static final Duration RETRY_PAUSE = Duration.ofMillis(250);

    private static final Duration NETWORK_REMOVAL_BOUND = Duration.ofSeconds(30);

    /** Removes every lab run whose owning JVM no longer exists: containers, networks, directories. */
    public static void removeOrphans(DockerClient docker, Path runsRoot) {
        for (Container c : docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(LABEL_RUN)).exec()) {
            if (orphan(c.getLabels().get(LABEL_PID))) {
                String run = c.getLabels().get(LABEL_RUN);
                LOG.info("removing leftovers of lab run {}", run);
                removeRun(docker, run, runsRoot.resolve(run));
            }
        }
        for (Network n : docker.listNetworksCmd().withFilter("label", List.of(LABEL_RUN)).exec()) {
            Map<String, String> labels = n.getLabels() == null ? Map.of() : n.getLabels();
            if (orphan(labels.get(LABEL_PID))) {
                removeRun(docker, labels.get(LABEL_RUN), runsRoot.resolve(labels.get(LABEL_RUN)));
            }
        }
        if (Files.isDirectory(runsRoot)) {
            try (Stream<Path> dirs = Files.list(runsRoot)) {
                for (Path d : dirs.toList()) {
                    Path owner = d.resolve(OWNER_FILE);
                    String pid = Files.isRegularFile(owner) ? Files.readString(owner).strip() : null;
                    if (orphan(pid)) {
                        LabImages.run(List.of("rm", "-rf", "--one-file-system", d.toString()), runsRoot, 120);
                    }
                }
            } catch (IOException e) {
                LOG.warn("could not list {}: {}", runsRoot, e.getMessage());
            }
        }
    }

    /**
     * The owner label: the JVM's pid and start time, so a recycled pid (another process that got the
     * dead JVM's number) does not keep leftovers alive.
     */
    static String owner() {
        ProcessHandle self = ProcessHandle.current();
        return self.pid() + "@" + self.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
    }

    static boolean orphan(String owner) {
        if (owner == null || owner.isBlank()) {
            return true;
        }
        String[] p = owner.strip().split("@");
        try {
            java.util.Optional<ProcessHandle> h = ProcessHandle.of(Long.parseLong(p[0]));
            if (h.isEmpty() || !h.get().isAlive()) {
                return true;
            }
            if (p.length < 2) {
                return false;
            }
            long started = h.get().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
            return started != Long.parseLong(p[1]);
        } catch (NumberFormatException e) {
            return true;
        }
    }
}
