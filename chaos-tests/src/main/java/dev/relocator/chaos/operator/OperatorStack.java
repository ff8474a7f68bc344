package dev.relocator.chaos.operator;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import dev.relocator.chaos.lab.ExecResult;
import dev.relocator.chaos.lab.LabException;
import dev.relocator.chaos.lab.LabImages;
import dev.relocator.chaos.lab.LabNode;
import dev.relocator.chaos.lab.SwarmLab;
import dev.relocator.testkit.kafka.KafkaBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * The operator in the lab, deployed the way a user deploys it: the image is built through
 * {@code deploy/Dockerfile} (base = the lab's JRE image), loaded into every node, and started with
 * {@code docker stack deploy -c deploy/docker-stack.yml} on a manager. The test Kafka broker runs
 * on the host, bound to the lab network's gateway, so operators inside the nodes reach it.
 */
public final class OperatorStack implements AutoCloseable {

    public static final String STACK = "relocator";
    public static final String SERVICE = STACK + "_operator";
    public static final String LEASE_DIR = "/run/relocator";
    /** Where the fencing wrapper is visible inside workload containers. */
    public static final String WRAPPER_DIR = "/relocator-lab";
    public static final String WRAPPER = WRAPPER_DIR + "/fence-wrapper.sh";
    static final Duration READY_BOUND = Duration.ofSeconds(Long.getLong("chaos.operator.readySeconds", 240));

    private final SwarmLab lab;
    private final KafkaBroker broker;
    private final String image;
    private final long buildMillis;
    private final long deployMillis;

    private OperatorStack(SwarmLab lab, KafkaBroker broker, String image, long buildMillis, long deployMillis) {
        this.lab = lab;
        this.broker = broker;
        this.image = image;
        this.buildMillis = buildMillis;
        this.deployMillis = deployMillis;
    }

    /** Builds (or finds) the image, starts the broker, deploys the stack and waits until every node's instance is healthy. */
    public static OperatorStack deploy(SwarmLab lab) {
        return deploy(lab, List.of());
    }

    /**
     * As {@link #deploy(SwarmLab)}, with more compose files (on the host) merged into the stack from the
     * first deploy on, e.g. {@link LabApi#PUBLISH_OVERRIDE}: a later {@link #redeploy} that adds them
     * would roll every instance.
     */
    public static OperatorStack deploy(SwarmLab lab, List<Path> moreComposeFiles) {
        Path root = repositoryRoot();
        long t0 = System.nanoTime();
        String image = buildImage(lab.hostDocker(), root, lab.images().jreImage());
        lab.loadImage(image);
        long built = (System.nanoTime() - t0) / 1_000_000;
        KafkaBroker broker = KafkaBroker.builder().name("lab-" + lab.runId()).listenAddress(lab.gatewayAddress()).start();
        try {
            broker.createTopic("relocator.events");
            long t1 = System.nanoTime();
            OperatorStack stack = new OperatorStack(lab, broker, image, built, 0);
            stack.installWrapper();
            stack.stackDeploy(root, moreComposeFiles);
            stack.awaitReady(READY_BOUND);
            return new OperatorStack(lab, broker, image, built, (System.nanoTime() - t1) / 1_000_000);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    public String image() {
        return image;
    }

    public KafkaBroker broker() {
        return broker;
    }

    /** Image build (or cache hit) plus loading it into every node, ms. */
    public long buildMillis() {
        return buildMillis;
    }

    /** Stack deploy until every node's instance is healthy, ms. */
    public long deployMillis() {
        return deployMillis;
    }

    /**
     * {@code docker service create} arguments that make a writer relocatable by the operator and run
     * it under the fencing wrapper: the label shorthand {@code relocator.dev/volume=<volume>}, the
     * lease directory, the wrapper, and the task's epoch from the service label Relocator writes.
     */
    public static List<String> relocatableWriterArgs(String volume) {
        return List.of("--label", "relocator.dev/volume=" + volume,
                "--restart-delay", "1s",
                "--mount", "type=bind,source=" + LEASE_DIR + ",target=" + LEASE_DIR + ",readonly",
                "--mount", "type=bind,source=" + SwarmLab.SHARED_PATH + "/.relocator-lab,target=" + WRAPPER_DIR + ",readonly",
                "--env", "RELOCATOR_VOLUME=" + volume,
                "--env", "RELOCATOR_EPOCH={{index .Service.Labels \"status.relocator.dev/epoch\"}}",
                "--env", "WRITER_WRAPPER=" + WRAPPER,
                "--env", "MAY_WRITE_HOOK=" + WRAPPER + " --check");
    }

    /** The repository root: the first directory up from the working directory holding deploy/Dockerfile. */
    public static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isRegularFile(p.resolve("deploy/Dockerfile")) && Files.isRegularFile(p.resolve("deploy/docker-stack.yml"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new LabException("no deploy/Dockerfile above " + Path.of("").toAbsolutePath() + "; run from the repository or one of its modules");
    }

    /**
     * Builds the operator image through exactly {@code deploy/Dockerfile}, with only what it
     * copies in the build context (the Quarkus fast-jar and deploy/). Tagged by a hash of those
     * inputs and the base, so an unchanged build is found again.
     */
    public static String buildImage(DockerClient docker, Path root, String baseImage) {
        Path app = root.resolve("operator/target/quarkus-app");
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            throw new LabException(app + "/quarkus-run.jar is missing: package the operator first (mvn -B -pl operator -am package -DskipTests,"
                    + " or run the chaos tests with -am so the reactor builds it)");
        }
        String hash = hash(List.of(app, root.resolve("deploy")), baseImage);
        String tag = "relocator-lab/operator:" + hash;
        if (!docker.listImagesCmd().withImageNameFilter(tag).exec().isEmpty()) {
            return tag;
        }
        Path ctx;
        try {
            ctx = Files.createTempDirectory("relocator-operator-build");
            copyTree(app, ctx.resolve("operator/target/quarkus-app"));
            copyTree(root.resolve("deploy"), ctx.resolve("deploy"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage the operator build context", e);
        }
        try {
            docker.buildImageCmd().withBaseDirectory(ctx.toFile()).withDockerfile(ctx.resolve("deploy/Dockerfile").toFile())
                    .withBuildArg("BASE_IMAGE", baseImage).withTags(Set.of(tag)).withPull(false)
                    .withLabels(Map.of(LabImages.LABEL_IMAGE, "operator", LabImages.LABEL_INPUTS, hash))
                    .exec(new BuildImageResultCallback()).awaitImageId(10, TimeUnit.MINUTES);
        } finally {
            deleteTree(ctx);
        }
        return tag;
    }

    private void installWrapper() {
        try (InputStream in = OperatorStack.class.getResourceAsStream("fence-wrapper.sh")) {
            if (in == null) {
                throw new LabException("fence-wrapper.sh is missing from the classpath");
            }
            Path dir = lab.sharedDir().resolve(".relocator-lab");
            Files.createDirectories(dir);
            Path target = dir.resolve("fence-wrapper.sh");
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            target.toFile().setExecutable(true, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the fencing wrapper", e);
        }
        for (LabNode n : lab.nodes()) {
            // the workloads bind it; the agent fills it (it also exists after a node restart once the agent ran)
            lab.exec(n.name(), "mkdir", "-p", LEASE_DIR).orThrow("mkdir " + LEASE_DIR + " on " + n.name());
        }
    }

    private void stackDeploy(Path root, List<Path> moreComposeFiles) {
        Path stackFile = root.resolve("deploy/docker-stack.yml");
        for (LabNode m : lab.managers()) {
            lab.exec(m.name(), "mkdir", "-p", "/opt/relocator").orThrow("mkdir on " + m.name());
            lab.copyToNode(m.name(), stackFile, "/opt/relocator");
            for (Path f : moreComposeFiles) {
                lab.copyToNode(m.name(), f, "/opt/relocator");
            }
        }
        String token = HexFormat.of().formatHex(randomBytes());
        String manager = lab.managers().get(0).name();
        lab.exec(manager, "sh", "-c", "docker secret inspect relocator_api_token >/dev/null 2>&1 || printf %s " + token
                + " | docker secret create --label dev.relocator.lab=" + lab.runId() + " relocator_api_token -").orThrow("secret create");
        redeploy(moreComposeFiles.stream().map(f -> "/opt/relocator/" + f.getFileName()).toList(), Map.of());
    }

    /**
     * {@code docker stack deploy} of the operator stack again, with the same variables, plus more
     * compose files already on the managers (merged into the one stack, as a user would deploy the
     * evaluation stack: {@code -c deploy/docker-stack.yml -c deploy/eval/docker-stack.eval.yml}) and
     * more variables. An unchanged operator service is left alone by Swarm.
     */
    public void redeploy(List<String> moreComposeFilesOnManager, Map<String, String> moreEnv) {
        List<String> cmd = new java.util.ArrayList<>(List.of("env", "RELOCATOR_IMAGE=" + image,
                "KAFKA_BOOTSTRAP_SERVERS=" + broker.bootstrapServers()));
        moreEnv.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(List.of("docker", "stack", "deploy", "-c", "/opt/relocator/docker-stack.yml"));
        for (String f : moreComposeFilesOnManager) {
            cmd.add("-c");
            cmd.add(f);
        }
        cmd.add(STACK);
        lab.exec(lab.managers().get(0).name(), cmd.toArray(String[]::new)).orThrow("docker stack deploy");
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[24];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }

    /** Every node that is up runs a healthy operator instance. */
    public void awaitReady(Duration bound) {
        Awaitility.await("a healthy operator on every node").atMost(bound).pollInterval(Duration.ofSeconds(2))
                .ignoreExceptions().until(() -> unhealthyNodes().isEmpty());
    }

    /** Nodes whose engine answers but that have no healthy operator container. */
    public Set<String> unhealthyNodes() {
        Set<String> out = new TreeSet<>();
        for (LabNode n : lab.nodes()) {
            ExecResult r = lab.docker(n.name(), "ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + SERVICE,
                    "--filter", "health=healthy");
            if (!r.ok() || r.stdout().isBlank()) {
                out.add(n.name());
            }
        }
        return out;
    }

    /** Swarm node id to lab node name (hostname), as a manager lists them; ids survive a node restart. */
    public Map<String, String> nodeNames() {
        Map<String, String> out = new java.util.HashMap<>();
        lab.onManager("node", "ls", "--format", "{{.ID}} {{.Hostname}}").orThrow("node ls").stdout().lines()
                .map(String::strip).filter(l -> l.contains(" ")).forEach(l -> out.put(l.substring(0, l.indexOf(' ')), l.substring(l.indexOf(' ') + 1)));
        return out;
    }

    /** The operator's logs as a manager sees them (for diagnosis). */
    public String logs(int tail) {
        try {
            ExecResult r = lab.onManager("service", "logs", "--raw", "--timestamps", "--tail", Integer.toString(tail), SERVICE);
            return r.stdout() + r.stderr();
        } catch (RuntimeException e) {
            // a node being down makes Swarm refuse the whole log stream
            return "(operator logs unavailable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        try {
            lab.onManager("stack", "rm", STACK);
        } catch (RuntimeException e) {
            // the lab is removed right after; nothing of the stack outlives its nodes
        }
        broker.close();
    }

    private static String hash(List<Path> roots, String base) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(base.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (Path r : roots) {
                List<Path> files;
                try (Stream<Path> s = Files.walk(r)) {
                    files = s.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path f : files) {
                    md.update(r.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    md.update(r.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    md.update(Files.readAllBytes(f));
                    md.update((byte) (Files.isExecutable(f) ? 1 : 0));
                }
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash the operator image inputs", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(from)) {
            all = new ArrayList<>(s.toList());
        }
        for (Path p : all) {
            Path t = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) {
                Files.createDirectories(t);
            } else {
                Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
