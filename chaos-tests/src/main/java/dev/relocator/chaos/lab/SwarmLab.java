package dev.relocator.chaos.lab;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateNetworkResponse;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Volume;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A real Docker Swarm of Docker-in-Docker nodes on a lab network of the local engine.
 *
 * <p>Every node sees the same host directory at {@link #SHARED_PATH} (the NAS stand-in) and its
 * own host directory at {@link #NODE_PATH} (node-local, never relocates). Lab images are loaded
 * into every node from cached tarballs mounted read-only at {@link #IMAGES_PATH}.
 * Everything created carries {@link LabCleanup#LABEL_RUN}; {@link #close()} and a JVM shutdown
 * hook remove it, and the next lab removes leftovers of a run whose JVM died.
 */
public final class SwarmLab implements AutoCloseable {

    public static final String SHARED_PATH = "/lab/shared";
    public static final String NODE_PATH = "/lab/node";
    public static final String IMAGES_PATH = "/lab/images";
    public static final Path RUNS_ROOT = Path.of(System.getProperty("relocator.lab.runs", "/var/tmp/relocator-lab/runs"));
    public static final String SETUP_HINT = "run scripts/setup-host.sh (it installs docker.io, debootstrap and busybox-static and starts a Docker Engine)";

    private static final Logger LOG = LoggerFactory.getLogger(SwarmLab.class);
    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(60);

    /** Shape of a lab. */
    public record Spec(int managers, int workers) {
        public Spec {
            if (managers < 1 || workers < 0 || managers + workers > 9) {
                throw new IllegalArgumentException("a lab needs 1..9 nodes with at least one manager, got managers="
                        + managers + " workers=" + workers);
            }
        }

        public static Spec defaults() {
            return new Spec(1, 2);
        }
    }

    /** Where bring-up time went, in milliseconds. */
    public record Timings(long images, long nodes, long swarm, long imageLoad, long total) {
    }

    private final DockerClient docker;
    private final String runId;
    private final Path runDir;
    private final LabImages images;
    private final Map<String, LabNode> nodes = new LinkedHashMap<>();
    private final List<GenericContainer<?>> containers = new ArrayList<>();
    private final Set<String> loadedImages = new HashSet<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(6, r -> {
        Thread t = new Thread(r, "lab");
        t.setDaemon(true);
        return t;
    });
    private final Thread shutdownHook;
    private String networkName;
    private String gateway;
    private String subnetPrefix;
    private Timings timings;
    private volatile boolean closed;

    private SwarmLab(DockerClient docker, String runId) {
        this.docker = docker;
        this.runId = runId;
        this.runDir = RUNS_ROOT.resolve(runId);
        this.images = new LabImages(docker, LabImages.DEFAULT_CACHE);
        this.shutdownHook = new Thread(this::closeQuietly, "lab-cleanup-" + runId);
    }

    /** Brings up a lab; on any failure everything created so far is removed before the error propagates. */
    public static SwarmLab start(Spec spec) {
        DockerClient docker = engine();
        String runId = "lab-" + UUID.randomUUID().toString().substring(0, 8);
        SwarmLab lab = new SwarmLab(docker, runId);
        Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
        try {
            lab.bringUp(spec);
            return lab;
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    /** The host engine, or a failure that names the command that sets one up. */
    public static DockerClient engine() {
        boolean up;
        try {
            up = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            up = false;
        }
        if (!up) {
            throw new LabException("no Docker Engine is reachable (DOCKER_HOST=" + System.getenv("DOCKER_HOST")
                    + ", default /var/run/docker.sock). The chaos tests need one: " + SETUP_HINT + ".");
        }
        return DockerClientFactory.instance().client();
    }

    private void bringUp(Spec spec) {
        long t0 = System.nanoTime();
        LabCleanup.removeOrphans(docker, RUNS_ROOT);
        CompletableFuture<String> workloadImage = CompletableFuture.supplyAsync(images::workloadImage, pool)
                .thenApply(tag -> {
                    images.tarball(tag);
                    return tag;
                });
        String nodeImage = images.nodeImage();
        workloadImage.join();
        long tImages = System.nanoTime();

        createDirs();
        createNetwork();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= spec.managers(); i++) {
            names.add("m" + i);
        }
        for (int i = 1; i <= spec.workers(); i++) {
            names.add("w" + i);
        }
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        int host = 10;
        for (String name : names) {
            String ip = subnetPrefix + (host++);
            starts.add(CompletableFuture.runAsync(() -> startNode(nodeImage, name, ip), pool));
        }
        joinAll(starts);
        long tNodes = System.nanoTime();

        formSwarm();
        long tSwarm = System.nanoTime();
        loadImage(workloadImage.join());
        long tEnd = System.nanoTime();
        timings = new Timings(ms(tImages - t0), ms(tNodes - tImages), ms(tSwarm - tNodes), ms(tEnd - tSwarm), ms(tEnd - t0));
        LOG.info("lab {} up: {} managers, {} workers, {}", runId, spec.managers(), spec.workers(), timings);
    }

    private void createDirs() {
        try {
            Files.createDirectories(runDir.resolve("shared"));
            Files.writeString(runDir.resolve(LabCleanup.OWNER_FILE), LabCleanup.owner());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the lab directory " + runDir, e);
        }
    }

    private void createNetwork() {
        Set<String> used = new HashSet<>();
        for (Network n : docker.listNetworksCmd().exec()) {
            if (n.getIpam() != null && n.getIpam().getConfig() != null) {
                n.getIpam().getConfig().forEach(c -> {
                    if (c.getSubnet() != null) {
                        used.add(c.getSubnet());
                    }
                });
            }
        }
        networkName = "relocator-" + runId;
        int start = ThreadLocalRandom.current().nextInt(256);
        RuntimeException last = null;
        for (int i = 0; i < 256; i++) {
            int third = (start + i) % 256;
            String subnet = "10.213." + third + ".0/24";
            if (used.contains(subnet)) {
                continue;
            }
            try {
                CreateNetworkResponse r = docker.createNetworkCmd().withName(networkName).withDriver("bridge")
                        .withLabels(labels())
                        .withIpam(new Network.Ipam().withConfig(new Network.Ipam.Config()
                                .withSubnet(subnet).withGateway("10.213." + third + ".1")))
                        .exec();
                subnetPrefix = "10.213." + third + ".";
                gateway = subnetPrefix + "1";
                LOG.debug("lab network {} ({}) on {}", networkName, r.getId(), subnet);
                return;
            } catch (RuntimeException e) {
                // another network took this range between our listing and the create: try the next one
                last = e;
            }
        }
        throw new LabException("no free /24 in 10.213.0.0/16 for the lab network", last);
    }

    private Map<String, String> labels() {
        return Map.of(LabCleanup.LABEL_RUN, runId, LabCleanup.LABEL_PID, LabCleanup.owner());
    }

    private void startNode(String image, String name, String ip) {
        Path nodeDir = runDir.resolve("nodes").resolve(name);
        try {
            Files.createDirectories(nodeDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String containerName = "relocator-" + runId + "-" + name;
        @SuppressWarnings("resource")
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(image))
                .withLabels(labels())
                .withNetworkMode(networkName)
                .withStartupAttempts(1)
                .waitingFor(Wait.forLogMessage(".*API listen on /var/run/docker\\.sock.*", 1)
                        .withStartupTimeout(Duration.ofSeconds(90)))
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withName(containerName).withHostName(name).withIpv4Address(ip)
                            .withVolumes(new Volume("/var/lib/docker"));
                    cmd.getHostConfig()
                            .withInit(true)
                            .withCapAdd(Capability.ALL)
                            .withCapDrop(Capability.SYS_RESOURCE)
                            .withSecurityOpts(List.of("seccomp=unconfined", "apparmor=unconfined"))
                            .withTmpFs(Map.of("/run", "rw,exec"))
                            .withBinds(
                                    Bind.parse("/sys/fs/cgroup:/sys/fs/cgroup:rw"),
                                    Bind.parse(runDir.resolve("shared") + ":" + SHARED_PATH + ":rw"),
                                    Bind.parse(nodeDir + ":" + NODE_PATH + ":rw"),
                                    Bind.parse(images.tarballDir() + ":" + IMAGES_PATH + ":ro"));
                });
        synchronized (containers) {
            containers.add(c);
        }
        c.start();
        LabNode node = new LabNode(name, name.startsWith("m"), ip, c.getContainerId());
        synchronized (nodes) {
            nodes.put(name, node);
        }
    }

    private void formSwarm() {
        LabNode first = managers().get(0);
        docker(first.name(), "swarm", "init", "--advertise-addr", first.ip()).orThrow("swarm init on " + first.name());
        String workerToken = docker(first.name(), "swarm", "join-token", "-q", "worker").orThrow("join-token").stdout().strip();
        String managerToken = docker(first.name(), "swarm", "join-token", "-q", "manager").orThrow("join-token").stdout().strip();
        // managers join one at a time: each join changes the Raft membership the next one joins
        for (LabNode m : managers().subList(1, managers().size())) {
            docker(m.name(), "swarm", "join", "--advertise-addr", m.ip(), "--token", managerToken, first.ip() + ":2377")
                    .orThrow("swarm join of manager " + m.name());
        }
        joinAll(workers().stream().map(w -> CompletableFuture.runAsync(() ->
                docker(w.name(), "swarm", "join", "--advertise-addr", w.ip(), "--token", workerToken, first.ip() + ":2377")
                        .orThrow("swarm join of worker " + w.name()), pool)).toList());
        Awaitility.await("every node Ready in the swarm").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> readyNodes().size() == nodes.size());
    }

    /** Hostnames of the nodes a reachable manager reports as Ready. */
    public Set<String> readyNodes() {
        Set<String> ready = new HashSet<>();
        ExecResult r = onManager("node", "ls", "--format", "{{.Hostname}} {{.Status}}");
        for (String line : r.stdout().split("\n")) {
            String[] p = line.strip().split(" ");
            if (p.length == 2 && p[1].equals("Ready")) {
                ready.add(p[0]);
            }
        }
        return ready;
    }

    // ---------------------------------------------------------------- API for scenarios and the operator

    public String runId() {
        return runId;
    }

    public Timings timings() {
        return timings;
    }

    public List<LabNode> nodes() {
        synchronized (nodes) {
            return List.copyOf(nodes.values());
        }
    }

    public List<LabNode> managers() {
        return nodes().stream().filter(LabNode::manager).toList();
    }

    public List<LabNode> workers() {
        return nodes().stream().filter(n -> !n.manager()).toList();
    }

    public LabNode node(String name) {
        LabNode n;
        synchronized (nodes) {
            n = nodes.get(name);
        }
        if (n == null) {
            throw new IllegalArgumentException("no lab node " + name + "; nodes are " + nodes.keySet());
        }
        return n;
    }

    public String nodeIp(String name) {
        return node(name).ip();
    }

    /** The lab network's gateway: a host process bound here (a Kafka broker) is reachable from inside the nodes. */
    public String gatewayAddress() {
        return gateway;
    }

    public String networkName() {
        return networkName;
    }

    /** Host directory behind {@link #SHARED_PATH} in every node. */
    public Path sharedDir() {
        return runDir.resolve("shared");
    }

    /** Host directory behind {@link #NODE_PATH} in the given node. */
    public Path nodeDir(String name) {
        node(name);
        return runDir.resolve("nodes").resolve(name);
    }

    public Path runDir() {
        return runDir;
    }

    public DockerClient hostDocker() {
        return docker;
    }

    public LabImages images() {
        return images;
    }

    /** Runs a command inside a node (not inside a workload container). */
    public ExecResult exec(String node, String... cmd) {
        return exec(node, EXEC_TIMEOUT, cmd);
    }

    public ExecResult exec(String node, Duration timeout, String... cmd) {
        String id = node(node).containerId();
        ExecCreateCmdResponse ex = docker.execCreateCmd(id).withCmd(cmd).withAttachStdout(true).withAttachStderr(true).exec();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ResultCallback.Adapter<Frame> cb = docker.execStartCmd(ex.getId()).exec(new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame f) {
                try {
                    (f.getStreamType() == com.github.dockerjava.api.model.StreamType.STDERR ? err : out).write(f.getPayload());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        })) {
            if (!cb.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new LabException("command on " + node + " did not finish within " + timeout + ": " + String.join(" ", cmd));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running on " + node + ": " + String.join(" ", cmd), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Long code = docker.inspectExecCmd(ex.getId()).exec().getExitCodeLong();
        return new ExecResult(code == null ? -1 : code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs the docker CLI of a node against that node's own engine. */
    public ExecResult docker(String node, String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "docker";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return exec(node, cmd);
    }

    /** Runs the docker CLI on the first manager that answers (a manager may be crashed, frozen or cut off). */
    public ExecResult onManager(String... args) {
        RuntimeException last = null;
        for (LabNode m : managers()) {
            try {
                ExecResult r = docker(m.name(), args);
                if (r.ok() || !r.stderr().contains("not a swarm manager") && !r.stderr().contains("rpc error")
                        && !r.stderr().contains("Cannot connect")) {
                    return r;
                }
                last = new LabException("manager " + m.name() + ": " + r.stderr().strip());
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new LabException("no manager answered `docker " + String.join(" ", args) + "`", last);
    }

    /** Copies a host file into a node directory. */
    public void copyToNode(String node, Path hostFile, String nodeDir) {
        docker.copyArchiveToContainerCmd(node(node).containerId()).withHostResource(hostFile.toString())
                .withRemotePath(nodeDir).exec();
    }

    /** Loads a host image into every node's engine (a node restarted later keeps it: its /var/lib/docker survives). */
    public void loadImage(String image) {
        Path tar = images.tarball(image);
        joinAll(nodes().stream().map(n -> CompletableFuture.runAsync(() ->
                docker(n.name(), "load", "-i", IMAGES_PATH + "/" + tar.getFileName()).orThrow("docker load of " + image + " on " + n.name()),
                pool)).toList());
        synchronized (loadedImages) {
            loadedImages.add(image);
        }
    }

    /** Whether a node's engine answers (it may be crashed, frozen, or restarting its dockerd). */
    public boolean engineUp(String node) {
        try {
            return exec(node, Duration.ofSeconds(5), "docker", "info", "--format", "{{.ServerVersion}}").ok();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether the node container is running, as the host engine sees it. */
    public boolean containerRunning(String node) {
        var state = docker.inspectContainerCmd(node(node).containerId()).exec().getState();
        return Boolean.TRUE.equals(state.getRunning()) && !Boolean.TRUE.equals(state.getPaused());
    }

    public Optional<String> leader() {
        ExecResult r = onManager("node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}}");
        return r.stdout().lines().map(String::strip).filter(l -> l.endsWith(" Leader")).map(l -> l.split(" ")[0]).findFirst();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down and runs the hook itself
        }
    }

    private synchronized void closeQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        pool.shutdownNow();
        try {
            // unpause first: a paused container cannot be killed cleanly by every engine version
            for (LabNode n : nodes()) {
                try {
                    if (Boolean.TRUE.equals(docker.inspectContainerCmd(n.containerId()).exec().getState().getPaused())) {
                        docker.unpauseContainerCmd(n.containerId()).exec();
                    }
                } catch (RuntimeException e) {
                    LOG.debug("unpause {}: {}", n.name(), e.getMessage());
                }
            }
            LabCleanup.removeRun(docker, runId, runDir);
            System.err.println("LAB REMOVED " + runId);
        } catch (RuntimeException e) {
            LOG.warn("lab {} cleanup incomplete: {}", runId, e.getMessage());
            System.err.println("LAB CLEANUP INCOMPLETE " + runId + ": " + e);
        } catch (Error e) {
            System.err.println("LAB CLEANUP FAILED " + runId + ": " + e);
            throw e;
        }
    }

    private static void joinAll(List<CompletableFuture<Void>> fs) {
        try {
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000L;
    }
}
