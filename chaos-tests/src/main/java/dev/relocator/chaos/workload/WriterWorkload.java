package dev.relocator.chaos.workload;

import dev.relocator.chaos.history.History;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import dev.relocator.chaos.history.WriteRecord;
import dev.relocator.chaos.lab.ExecResult;
import dev.relocator.chaos.lab.LabException;
import dev.relocator.chaos.lab.LabNode;
import dev.relocator.chaos.lab.SwarmLab;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * The writer workload as a single-replica Swarm service (the "client" of the Jepsen shape).
 * It appends records to {@code /data/writes.jsonl} on its volume and acknowledges each durable
 * append on {@code /acks}, a node-local directory ({@link SwarmLab#NODE_PATH}) that never relocates,
 * so the acknowledgements of a writer survive whatever happens to its volume.
 */
public final class WriterWorkload {

    public static final String DATA_FILE = "writes.jsonl";

    private final SwarmLab lab;
    private final String service;
    private final VolumeKind kind;
    private final Duration interval;
    private final List<String> extraArgs;

    /**
     * @param service   the Swarm service name; also names the volume and the ack directory, so
     *                  several runs can share one lab
     * @param extraArgs extra {@code docker service create} arguments (labels for the operator, a wrapper)
     */
    public WriterWorkload(SwarmLab lab, String service, VolumeKind kind, Duration interval, List<String> extraArgs) {
        if (!service.matches("[a-z][a-z0-9-]{0,40}")) {
            throw new IllegalArgumentException("service name must be lowercase letters, digits and dashes, got '" + service + "'");
        }
        this.lab = lab;
        this.service = service;
        this.kind = kind;
        this.interval = interval;
        this.extraArgs = List.copyOf(extraArgs);
    }

    public String service() {
        return service;
    }

    public String volumeName() {
        return service + "-data";
    }

    public VolumeKind kind() {
        return kind;
    }

    /** The data is in the lab's shared directory (readable from the host whatever node writes). */
    private boolean isShared() {
        return kind.onSharedStorage();
    }

    /** Host directory of the shared volume's data (SHARED and LAB_NAS only). */
    public Path sharedVolumeDir() {
        return lab.sharedDir().resolve(volumeName());
    }

    private String ackDirName() {
        return "acks-" + service;
    }

    /** Creates the service; returns once its first record is on the volume. */
    public void deploy(String image) {
        try {
            for (LabNode n : lab.nodes()) {
                Files.createDirectories(lab.nodeDir(n.name()).resolve(ackDirName()));
            }
            if (isShared()) {
                Files.createDirectories(sharedVolumeDir());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the workload directories", e);
        }
        List<String> args = new ArrayList<>(List.of("service", "create", "--detach", "--name", service,
                "--replicas", "1", "--constraint", "node.role==worker",
                "--stop-grace-period", "2s",
                "--label", "dev.relocator.lab.workload=" + service,
                "--env", "NODE={{.Node.Hostname}}", "--env", "WRITER={{.Task.ID}}",
                "--env", "INTERVAL=" + (interval.toMillis() / 1000.0),
                "--mount", "type=bind,source=" + SwarmLab.NODE_PATH + "/" + ackDirName() + ",target=/acks"));
        if (kind == VolumeKind.SHARED) {
            args.addAll(List.of("--mount", "type=volume,source=" + volumeName() + ",target=/data,volume-driver=local"
                    + ",volume-opt=type=none,volume-opt=o=bind,volume-opt=device=" + SwarmLab.SHARED_PATH + "/" + volumeName()));
        } else if (kind == VolumeKind.LAB_NAS) {
            args.addAll(List.of("--mount", "type=volume,source=" + volumeName() + ",target=/data,volume-driver=lab-nas"));
        } else {
            args.addAll(List.of("--mount", "type=volume,source=" + volumeName() + ",target=/data"));
        }
        args.addAll(extraArgs);
        args.add(image);
        lab.onManager(args.toArray(String[]::new)).orThrow("service create " + service);
        Awaitility.await(service + " writing").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .until(() -> !currentRecords().isEmpty());
    }

    /** Nodes where a task of the service is meant to run now, as a reachable manager sees it. */
    public Optional<String> scheduledNode() {
        ExecResult r = lab.onManager("service", "ps", service, "--filter", "desired-state=running", "--format", "{{.Node}}");
        return r.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).findFirst();
    }

    /** The node of the latest record on the volume: the writer that is writing now, as the data shows it. */
    public Optional<String> writingNode() {
        List<WriteRecord> r = currentRecords();
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(r.size() - 1).node());
    }

    /** Writers seen on the volume so far. */
    public Set<String> writers() {
        Set<String> w = new TreeSet<>();
        currentRecords().forEach(r -> w.add(r.writer()));
        return w;
    }

    /**
     * The volume's records as the current writer sees them: the shared directory, or the local
     * volume on the node of the latest scheduled task.
     */
    public List<WriteRecord> currentRecords() {
        return finalVolumeContent().map(c -> RunData.parseVolume(c).records()).orElse(List.of());
    }

    /** The file's content, or empty when it cannot be read (the node that holds a local volume is down). */
    public Optional<String> finalVolumeContent() {
        return isShared() ? volumeContent(null) : scheduledNode().flatMap(this::volumeContent);
    }

    /**
     * Stops the writer, then reads what its volume holds: the writer must be gone first, or
     * acknowledgements made after the read would look like lost writes.
     */
    public Optional<String> stopAndCapture() {
        Optional<String> node = isShared() ? Optional.empty() : scheduledNode();
        remove();
        return isShared() ? volumeContent(null) : node.flatMap(this::volumeContent);
    }

    private Optional<String> volumeContent(String localNode) {
        if (isShared()) {
            Path f = sharedVolumeDir().resolve(DATA_FILE);
            try {
                return Optional.of(Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            ExecResult r = lab.exec(localNode, Duration.ofSeconds(10), "sh", "-c",
                    "cat /var/lib/docker/volumes/" + volumeName() + "/_data/" + DATA_FILE + " 2>/dev/null || true");
            return r.ok() ? Optional.of(r.stdout()) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Imports every acknowledgement file (from all nodes, including crashed ones: the files live
     * on the host) into the history as client ops, in time order.
     */
    public int importAcks(History history) {
        List<Op> ops = new ArrayList<>();
        for (LabNode n : lab.nodes()) {
            Path dir = lab.nodeDir(n.name()).resolve(ackDirName());
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                    Path tmp = Files.createTempFile("acks", ".jsonl");
                    try {
                        Files.copy(f, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        ops.addAll(History.read(tmp));
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read acknowledgements in " + dir, e);
            }
        }
        ops.sort(Comparator.comparingLong(Op::time));
        ops.forEach(history::append);
        return ops.size();
    }

    /** Removes the service and waits until none of its containers is left on any reachable node. */
    public void remove() {
        ExecResult r = lab.onManager("service", "rm", service);
        if (!r.ok() && !r.stderr().contains("not found")) {
            throw new LabException("service rm " + service + ": " + r.stderr());
        }
        Awaitility.await(service + " containers gone").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> lab.nodes().stream().filter(n -> lab.engineUp(n.name())).allMatch(n ->
                        lab.docker(n.name(), "ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + service)
                                .stdout().isBlank()));
    }
}
