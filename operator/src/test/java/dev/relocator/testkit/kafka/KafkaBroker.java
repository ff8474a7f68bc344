package dev.relocator.testkit.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) for tests,
 * run as a child JVM from the {@code org.apache.kafka:kafka_2.13} jars on the test class path.
 *
 * <p>A child JVM keeps Kafka's class path away from the test's (Quarkus, Vert.x) and can be
 * stopped and started again with its data kept, which is how the chaos harness injects
 * "Kafka down". Three listeners: {@code EXTERNAL} on {@link Builder#listenAddress} (what
 * {@link #bootstrapServers()} returns; SASL/SCRAM when users are configured),
 * {@code INTERNAL} (plaintext, loopback, inter-broker traffic and the kit's own admin
 * calls) and {@code CONTROLLER} (loopback). Ports are chosen free at the first start and
 * kept across restarts, so clients reconnect to the same address.
 *
 * <p>The process is stopped by {@link #stop()}, {@link #close()}, and by a JVM shutdown hook
 * (by the PID this class started, never by name).
 */
public final class KafkaBroker implements AutoCloseable {

    public static final String SCRAM_MECHANISM = "SCRAM-SHA-256";
    private static final int LOG_TAIL_LINES = 40;

    private final String listenAddress;
    private final Map<String, String> scramUsers;
    private final Map<String, String> extraProperties;
    private final Duration startTimeout;
    private final int heapMegabytes;
    private final String name;

    private Path directory;
    private Path logFile;
    private int externalPort;
    private int internalPort;
    private int controllerPort;
    private Process process;
    private Thread shutdownHook;
    private boolean formatted;
    private boolean closed;

    private KafkaBroker(Builder builder) {
        this.listenAddress = builder.listenAddress;
        this.scramUsers = Collections.unmodifiableMap(new LinkedHashMap<>(builder.scramUsers));
        this.extraProperties = Collections.unmodifiableMap(new LinkedHashMap<>(builder.extraProperties));
        this.startTimeout = builder.startTimeout;
        this.heapMegabytes = builder.heapMegabytes;
        this.name = builder.name;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the broker: formats its storage the first time, keeps data and ports afterwards. */
    public synchronized KafkaBroker start() {
        if (closed) {
            throw new KafkaBrokerException("Broker " + name + " was closed; build a new one.");
        }
        if (isRunning()) {
            return this;
        }
        KafkaBrokerClasspath.Resolved classpath = KafkaBrokerClasspath.resolve();
        try {
            if (directory == null) {
                directory = Files.createTempDirectory("relocator-kafka-" + name + "-");
                logFile = directory.resolve("broker.log");
                externalPort = freePort(listenAddress);
                internalPort = freePort("127.0.0.1");
                controllerPort = freePort("127.0.0.1");
            } else {
                // A restart keeps its ports. If one was taken meanwhile, the broker would exit on the bind
                // only after the readiness check had connected to whoever holds it: say so before launching.
                ensureFree(listenAddress, externalPort, "external");
                ensureFree("127.0.0.1", internalPort, "internal");
                ensureFree("127.0.0.1", controllerPort, "controller");
            }
            Path config = writeServerProperties();
            if (!formatted) {
                format(classpath, config);
                formatted = true;
            }
            appendToLog("=== kafka.Kafka start at " + java.time.Instant.now() + " ===\n");
            List<String> command = javaCommand(classpath);
            command.add("kafka.Kafka");
            command.add(config.toString());
            process = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            registerShutdownHook();
            awaitReady(classpath);
            return this;
        } catch (IOException e) {
            throw new KafkaBrokerException("Cannot start Kafka broker " + name + ": " + e.getMessage()
                    + describeLog(), e);
        }
    }

    /** Graceful stop (SIGTERM, then SIGKILL after 30 s); data and ports are kept for {@link #start()}. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        Process p = process;
        process = null;
        p.destroy();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Crash-stop (SIGKILL): no controlled shutdown, data as the kernel left it. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        Process p = process;
        process = null;
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the broker for good and deletes its directory. */
    @Override
    public synchronized void close() {
        stop();
        closed = true;
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook itself is running: nothing to unregister
            }
            shutdownHook = null;
        }
        deleteDirectory();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** PID of the running broker process, or -1 when it is stopped. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** {@code host:port} of the external listener (SASL/SCRAM when users were configured). */
    public String bootstrapServers() {
        requirePorts();
        return hostForClients(listenAddress) + ":" + externalPort;
    }

    /** {@code host:port} of the unauthenticated loopback listener the kit uses itself. */
    public String internalBootstrapServers() {
        requirePorts();
        return "127.0.0.1:" + internalPort;
    }

    public boolean requiresSasl() {
        return !scramUsers.isEmpty();
    }

    /** Client settings for the external listener, authenticated as the first SCRAM user if any. */
    public Map<String, Object> clientProperties() {
        if (scramUsers.isEmpty()) {
            return clientProperties(null, null);
        }
        Map.Entry<String, String> first = scramUsers.entrySet().iterator().next();
        return clientProperties(first.getKey(), first.getValue());
    }

    /** Client settings for the external listener with the given SCRAM credentials (ignored without SASL). */
    public Map<String, Object> clientProperties(String user, String password) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (requiresSasl() && user != null) {
            props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
            props.put(SaslConfigs.SASL_MECHANISM, SCRAM_MECHANISM);
            props.put(SaslConfigs.SASL_JAAS_CONFIG, jaasConfig(user, password));
        }
        return props;
    }

    public static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";";
    }

    public Map<String, String> scramUsers() {
        return scramUsers;
    }

    public Path logFile() {
        return logFile;
    }

    public Path directory() {
        return directory;
    }

    /** Creates a topic (no-op when it exists) through the internal listener. */
    public void createTopic(String topic, int partitions, Map<String, String> configs) {
        requireRunning();
        try (Admin admin = internalAdmin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new KafkaBrokerException("Cannot create topic " + topic + " on " + internalBootstrapServers()
                        + ": " + e.getCause() + describeLog(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new KafkaBrokerException("Creating topic " + topic + " timed out after 30 s" + describeLog(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaBrokerException("Interrupted while creating topic " + topic, e);
        }
    }

    public void createTopic(String topic) {
        createTopic(topic, 1, Map.of());
    }

    /** An admin client on the internal listener; the caller closes it. */
    public Admin internalAdmin() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, internalBootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        return Admin.create(props);
    }

    /** The last lines of the broker's log, for failure messages. */
    public String logTail(int lines) {
        if (logFile == null || !Files.exists(logFile)) {
            return "";
        }
        try (Stream<String> all = Files.lines(logFile, StandardCharsets.UTF_8)) {
            List<String> list = all.toList();
            return String.join("\n", list.subList(Math.max(0, list.size() - lines), list.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + name + ", " + (externalPort == 0 ? "not started" : bootstrapServers())
                + (isRunning() ? ", pid " + pid() : ", stopped") + "]";
    }

    // ---------------------------------------------------------------------------------------

    private List<String> javaCommand(KafkaBrokerClasspath.Resolved classpath) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xms64m");
        command.add("-Xmx" + heapMegabytes + "m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Djava.awt.headless=true");
        command.add("-Dkafka.logs.dir=" + directory.resolve("logs"));
        command.addAll(classpath.jvmOptions());
        command.add("-cp");
        command.add(classpath.classpath());
        return command;
    }

    private void format(KafkaBrokerClasspath.Resolved classpath, Path config) throws IOException {
        List<String> command = javaCommand(classpath);
        command.add("kafka.tools.StorageTool");
        command.add("format");
        command.add("--cluster-id");
        command.add(Uuid.randomUuid().toString());
        command.add("--config");
        command.add(config.toString());
        for (Map.Entry<String, String> user : scramUsers.entrySet()) {
            command.add("--add-scram");
            command.add(SCRAM_MECHANISM + "=[name=" + user.getKey() + ",password=" + user.getValue() + "]");
        }
        appendToLog("=== kafka.tools.StorageTool format ===\n");
        Process formatProcess = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        try {
            if (!formatProcess.waitFor(60, TimeUnit.SECONDS)) {
                formatProcess.destroyForcibly();
                throw new KafkaBrokerException("kafka.tools.StorageTool format did not finish in 60 s"
                        + describeClasspath(classpath) + describeLog());
            }
        } catch (InterruptedException e) {
            formatProcess.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new KafkaBrokerException("Interrupted while formatting Kafka storage", e);
        }
        if (formatProcess.exitValue() != 0) {
            throw new KafkaBrokerException("kafka.tools.StorageTool format failed with exit code "
                    + formatProcess.exitValue() + describeClasspath(classpath) + describeLog());
        }
    }

    private Path writeServerProperties() throws IOException {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("listeners", "EXTERNAL://" + listenAddress + ":" + externalPort
                + ",INTERNAL://127.0.0.1:" + internalPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "EXTERNAL://" + hostForClients(listenAddress) + ":" + externalPort
                + ",INTERNAL://127.0.0.1:" + internalPort);
        p.setProperty("listener.security.protocol.map", "EXTERNAL:" + (requiresSasl() ? "SASL_PLAINTEXT" : "PLAINTEXT")
                + ",INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("inter.broker.listener.name", "INTERNAL");
        if (requiresSasl()) {
            p.setProperty("sasl.enabled.mechanisms", SCRAM_MECHANISM);
            p.setProperty("listener.name.external." + SCRAM_MECHANISM.toLowerCase(java.util.Locale.ROOT)
                    + ".sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        }
        p.setProperty("log.dirs", directory.resolve("data").toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // compaction visible within a test's time: small segments, frequent cleaner passes
        p.setProperty("log.cleaner.backoff.ms", "500");
        extraProperties.forEach(p::setProperty);
        Path config = directory.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            p.store(out, "written by dev.relocator.testkit.kafka.KafkaBroker");
        }
        return config;
    }

    private void awaitReady(KafkaBrokerClasspath.Resolved classpath) {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                int exit = process.exitValue();
                process = null;
                throw new KafkaBrokerException("Kafka broker " + name + " exited with code " + exit
                        + " during start-up (ports: external " + listenAddress + ":" + externalPort
                        + ", internal " + internalPort + ", controller " + controllerPort + ")"
                        + describeClasspath(classpath) + describeLog());
            }
            if (accepts(listenAddress, externalPort)) {
                try (Admin admin = internalAdmin()) {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new KafkaBrokerException("Interrupted while waiting for the broker", e);
                }
            }
            // Polling a child process has no event to wait on; a short park keeps the loop cheap.
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        Process p = process;
        stop();
        throw new KafkaBrokerException("Kafka broker " + name + " (pid " + (p == null ? "?" : p.pid())
                + ") not ready within " + startTimeout.toSeconds() + " s on " + listenAddress + ":" + externalPort
                + (last == null ? " (port never accepted connections)" : " (last admin error: " + last + ")")
                + describeClasspath(classpath) + describeLog());
    }

    private void ensureFree(String address, int port, String listener) {
        try (ServerSocket probe = new ServerSocket()) {
            // the same option the broker's acceptor uses, so a port in TIME_WAIT counts as free
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(address), port));
        } catch (IOException e) {
            throw new KafkaBrokerException("Cannot restart Kafka broker " + name + ": the port of its " + listener + " listener, "
                    + address + ":" + port + ", is taken (" + e.getMessage() + "). A restarted broker keeps its ports so that"
                    + " clients reconnect to the same address: stop what holds the port, or build a new broker." + describeLog(), e);
        }
    }

    private static boolean accepts(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void registerShutdownHook() {
        if (shutdownHook != null) {
            return;
        }
        shutdownHook = new Thread(() -> {
            Process p;
            synchronized (this) {
                p = process;
            }
            if (p != null) {
                p.destroyForcibly();
            }
            deleteDirectory();
        }, "kafka-broker-" + name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private void deleteDirectory() {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // best effort: a leftover temp directory is harmless and its path is in the log
        }
    }

    private void appendToLog(String line) throws IOException {
        Files.writeString(logFile, line, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    private String describeLog() {
        if (logFile == null) {
            return "";
        }
        String errors = errorLinesOfLastRun();
        return "\nBroker log: " + logFile
                + (errors.isEmpty() ? "" : "\nErrors logged by this run (first 10):\n" + errors)
                + "\nLast lines:\n" + logTail(LOG_TAIL_LINES);
    }

    /** A failing broker logs its cause early and then pages of shutdown: pick the error lines out. */
    private String errorLinesOfLastRun() {
        if (!Files.exists(logFile)) {
            return "";
        }
        try (Stream<String> all = Files.lines(logFile, StandardCharsets.UTF_8)) {
            List<String> lines = all.toList();
            int start = 0;
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("=== ")) {
                    start = i;
                    break;
                }
            }
            return String.join("\n", lines.subList(start, lines.size()).stream()
                    .filter(l -> l.contains("ERROR") || l.contains("FATAL") || l.startsWith("Caused by:")
                            || l.startsWith("Exception in thread"))
                    .limit(10).toList());
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static String describeClasspath(KafkaBrokerClasspath.Resolved classpath) {
        return "\nBroker class path (from " + classpath.origin() + "): " + classpath.classpath();
    }

    private void requirePorts() {
        if (externalPort == 0) {
            throw new KafkaBrokerException("Broker " + name + " has not been started: call start() first.");
        }
    }

    private void requireRunning() {
        if (!isRunning()) {
            throw new KafkaBrokerException("Broker " + name + " is not running" + (logFile == null ? "" : describeLog()));
        }
    }

    private static String hostForClients(String address) {
        return "0.0.0.0".equals(address) ? "127.0.0.1" : address;
    }

    private static int freePort(String address) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IOException("cannot bind a free port on " + address + " (" + e.getMessage()
                    + "); is it an address of this machine?", e);
        }
    }

    /** Builder; every setting has a default that gives a plaintext broker on loopback. */
    public static final class Builder {
        private String listenAddress = "127.0.0.1";
        private final Map<String, String> scramUsers = new LinkedHashMap<>();
        private final Map<String, String> extraProperties = new LinkedHashMap<>();
        private Duration startTimeout = Duration.ofSeconds(60);
        private int heapMegabytes = 512;
        private String name = "broker";

        private Builder() {
        }

        /** Address the external listener binds and advertises, e.g. a Docker network's gateway. */
        public Builder listenAddress(String address) {
            this.listenAddress = requireText(address, "listenAddress");
            return this;
        }

        /** Makes the external listener require SASL/SCRAM-SHA-256; the first user is the kit's default client. */
        public Builder scramUser(String user, String password) {
            requireText(user, "SCRAM user");
            requireText(password, "SCRAM password");
            if (user.contains(",") || user.contains("=") || password.contains(",") || password.contains("]")) {
                throw new IllegalArgumentException("SCRAM user and password must not contain ',', '=' or ']': "
                        + "kafka-storage --add-scram cannot quote them");
            }
            scramUsers.put(user, password);
            return this;
        }

        /** A server.properties entry, applied after (and over) the kit's own. */
        public Builder brokerProperty(String key, String value) {
            extraProperties.put(requireText(key, "broker property key"), value);
            return this;
        }

        public Builder brokerProperties(Map<String, String> properties) {
            properties.forEach(this::brokerProperty);
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public Builder heapMegabytes(int megabytes) {
            if (megabytes < 64) {
                throw new IllegalArgumentException("heap must be at least 64 MB, got " + megabytes);
            }
            this.heapMegabytes = megabytes;
            return this;
        }

        /** Names the temporary directory and the shutdown thread, to tell brokers apart in logs. */
        public Builder name(String name) {
            this.name = requireText(name, "name").replaceAll("[^A-Za-z0-9_.-]", "_");
            return this;
        }

        public KafkaBroker build() {
            return new KafkaBroker(this);
        }

        /** Builds and starts. */
        public KafkaBroker start() {
            return build().start();
        }

        private static String requireText(String value, String what) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return value;
        }
    }
}
