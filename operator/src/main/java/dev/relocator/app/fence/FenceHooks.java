package dev.relocator.app.fence;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.core.model.NodeInfo;
import dev.relocator.core.ports.ExternalFence;
import dev.relocator.crd.model.RelocatorConfig.FenceHook;
import dev.relocator.crd.model.Spec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fence hooks ({@link ExternalFence}): the volume's own {@code spec.fencing.external}
 * (command or webhook) first, else the first {@code RelocatorConfig.spec.fenceHooks} entry whose
 * {@code nodeLabels} the node's Swarm labels match.
 *
 * <ul>
 *   <li>{@code command}: the argv (no shell) plus the node's hostname as the last argument, with
 *       {@code RELOCATOR_NODE_ID}, {@code RELOCATOR_NODE_HOSTNAME}, {@code RELOCATOR_VOLUME} in the
 *       environment. Exit 0 = the node is off; any other exit, or the timeout (the process and all its
 *       descendants are killed), = failed. Output (stdout and stderr, first {@value #OUTPUT_LIMIT} bytes)
 *       goes to the log.</li>
 *   <li>{@code webhook}: POST {@code {"node","hostname","volume","requestedAt"}} as JSON, optionally with
 *       a bearer token read from a file at each call; 2xx = off, anything else or the timeout = failed.</li>
 * </ul>
 *
 * Hooks run on a small bounded executor, never on the caller's thread. Outcomes are kept per
 * (node, hook); {@link #reset} forgets a node's, and a hook still running for it then cannot bring
 * its stale outcome back (each node has a generation).
 */
public final class FenceHooks implements ExternalFence, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FenceHooks.class);
    static final int OUTPUT_LIMIT = 4096;
    /** Tag value of hooks declared in a volume's own spec (the volume name would be an unbounded tag). */
    static final String SPEC_HOOK = "spec";

    /** One hook, resolved. {@code name} is the metric tag and part of the outcome key. */
    public record Hook(String name, Spec.External kind, List<String> command, String webhookUrl, Duration timeout) {
        public Hook {
            command = command == null ? List.of() : List.copyOf(command);
        }

        static Optional<Hook> ofSpec(String volume, Spec.Fencing f) {
            if (f == null || f.external() == Spec.External.NONE) {
                return Optional.empty();
            }
            return Optional.of(new Hook(SPEC_HOOK + ":" + volume, f.external(), f.command(), f.webhookUrl(),
                    Duration.ofSeconds(f.timeoutSeconds() > 0 ? f.timeoutSeconds() : 30)));
        }

        static Hook ofConfig(FenceHook h) {
            return new Hook(h.name(), h.external(), h.command(), h.webhookUrl(),
                    Duration.ofSeconds(h.timeoutSeconds() > 0 ? h.timeoutSeconds() : 30));
        }

        String tag() {
            return name.startsWith(SPEC_HOOK + ":") ? SPEC_HOOK : name;
        }
    }

    private record Key(String node, String hook) {
    }

    private record Outcome(State state, long generation) {
    }

    private final ThreadPoolExecutor executor;
    private final HttpClient http;
    private final Optional<Path> tokenFile;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Map<Key, Outcome> outcomes = new ConcurrentHashMap<>();
    private final Map<String, Long> generations = new ConcurrentHashMap<>();
    private volatile Map<String, Hook> byVolume = Map.of();
    private volatile List<Hook> configHooks = List.of();
    private volatile List<FenceHook> configHookSpecs = List.of();
    private volatile Map<String, NodeInfo> nodes = Map.of();

    /**
     * @param threads   hooks that run at once; further requests queue (bounded) and beyond that stay
     *                  unasked, so the controller's next request tries again
     * @param tokenFile bearer token for webhooks, re-read at every call (rotation without restart)
     */
    public FenceHooks(int threads, Optional<Path> tokenFile, Clock clock, MeterRegistry registry) {
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(32), r -> {
            Thread t = new Thread(r, "relocator-fence-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.executor.allowCoreThreadTimeOut(true);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.tokenFile = tokenFile;
        this.clock = clock;
        this.registry = registry;
    }

    /** The hooks declared by volumes (volume name → its {@code spec.fencing}). */
    public void volumes(Map<String, Spec.Fencing> fencing) {
        Map<String, Hook> m = new HashMap<>();
        fencing.forEach((volume, f) -> Hook.ofSpec(volume, f).ifPresent(h -> m.put(volume, h)));
        byVolume = Map.copyOf(m);
    }

    /** {@code RelocatorConfig.spec.fenceHooks}, in order. */
    public void configHooks(List<FenceHook> hooks) {
        configHookSpecs = List.copyOf(hooks);
        configHooks = hooks.stream().map(Hook::ofConfig).toList();
    }

    /** The Swarm nodes (labels and hostnames), refreshed by the caller. */
    public void nodes(List<NodeInfo> list) {
        Map<String, NodeInfo> m = new HashMap<>();
        list.forEach(n -> m.put(n.id(), n));
        nodes = Map.copyOf(m);
    }

    /** The hook that applies to (node, volume), if any. */
    public Optional<Hook> hookFor(String node, String volume) {
        Hook own = byVolume.get(volume);
        if (own != null) {
            return Optional.of(own);
        }
        NodeInfo n = nodes.get(node);
        if (n == null) {
            return Optional.empty();
        }
        List<FenceHook> specs = configHookSpecs;
        List<Hook> hooks = configHooks;
        for (int i = 0; i < specs.size() && i < hooks.size(); i++) {
            FenceHook h = specs.get(i);
            if (h.nodeLabels().entrySet().stream().allMatch(e -> e.getValue().equals(n.labels().get(e.getKey())))) {
                return Optional.of(hooks.get(i));
            }
        }
        return Optional.empty();
    }

    @Override
    public void request(String node, String volume) {
        Optional<Hook> hook = hookFor(node, volume);
        if (hook.isEmpty()) {
            return;
        }
        Hook h = hook.get();
        Key key = new Key(node, h.name());
        long gen = generations.getOrDefault(node, 0L);
        Outcome prev = outcomes.get(key);
        if (prev != null && prev.generation() == gen && (prev.state() == State.REQUESTED || prev.state() == State.CONFIRMED)) {
            return; // idempotent: already asked, or already off
        }
        Outcome asked = new Outcome(State.REQUESTED, gen);
        boolean won = prev == null ? outcomes.putIfAbsent(key, asked) == null : outcomes.replace(key, prev, asked);
        if (!won) {
            return; // a concurrent request got there first
        }
        NodeInfo n = nodes.get(node);
        String hostname = n == null ? node : n.hostname();
        counter("relocator.fence.hook.requests", h, null).increment();
        try {
            executor.execute(() -> run(h, key, gen, node, hostname, volume));
        } catch (RejectedExecutionException e) {
            outcomes.remove(key, asked);
            LOG.warnf("fence hook %s for node %s not started: %d hooks already queued; the next request tries again",
                    h.name(), hostname, executor.getQueue().size());
        }
    }

    @Override
    public State state(String node, String volume) {
        Optional<Hook> hook = hookFor(node, volume);
        if (hook.isEmpty()) {
            return State.NOT_CONFIGURED;
        }
        Outcome o = outcomes.get(new Key(node, hook.get().name()));
        if (o == null || o.generation() != generations.getOrDefault(node, 0L)) {
            return State.IDLE;
        }
        return o.state();
    }

    @Override
    public void reset(String node) {
        generations.merge(node, 1L, Long::sum);
        outcomes.keySet().removeIf(k -> k.node().equals(node));
    }

    private void run(Hook h, Key key, long gen, String node, String hostname, String volume) {
        long start = System.nanoTime();
        String outcome;
        boolean ok;
        try {
            outcome = h.kind() == Spec.External.WEBHOOK ? webhook(h, node, hostname, volume) : command(h, node, hostname, volume);
        } catch (RuntimeException e) {
            outcome = "error";
            LOG.warnf("fence hook %s for node %s failed: %s", h.name(), hostname, e.toString());
        }
        ok = outcome.equals("confirmed");
        Timer.builder("relocator.fence.hook.duration").description("time from starting a fence hook to its outcome")
                .tags("hook", h.tag(), "outcome", outcome).publishPercentileHistogram(false)
                .serviceLevelObjectives(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30))
                .register(registry).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        counter(ok ? "relocator.fence.hook.confirmed" : "relocator.fence.hook.failed", h, outcome).increment();
        State result = ok ? State.CONFIRMED : State.FAILED;
        // a reset while the hook ran made this outcome stale: the node is back, a later loss is fenced afresh
        outcomes.computeIfPresent(key, (k, o) -> o.generation() == gen && generations.getOrDefault(node, 0L) == gen
                ? new Outcome(result, gen) : o);
        if (ok) {
            LOG.infof("fence hook %s confirmed node %s (%s) off for volume %s", h.name(), hostname, node, volume);
        }
    }

    private String command(Hook h, String node, String hostname, String volume) {
        if (h.command().isEmpty()) {
            LOG.warnf("fence hook %s has external=command but no command; set its command to an argv list", h.name());
            return "misconfigured";
        }
        List<String> argv = new ArrayList<>(h.command());
        argv.add(hostname);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("RELOCATOR_NODE_ID", node);
        pb.environment().put("RELOCATOR_NODE_HOSTNAME", hostname);
        pb.environment().put("RELOCATOR_VOLUME", volume);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            LOG.warnf("fence hook %s cannot start %s: %s", h.name(), argv.get(0), e.getMessage());
            return "error";
        }
        BoundedOutput out = new BoundedOutput(p.getInputStream());
        Thread reader = new Thread(out, "relocator-fence-output");
        reader.setDaemon(true);
        reader.start();
        boolean exited;
        try {
            exited = p.waitFor(h.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = false;
        }
        if (!exited) {
            killTree(p);
            joinQuietly(reader);
            LOG.warnf("fence hook %s for node %s timed out after %s; killed it. Output: %s", h.name(), hostname, h.timeout(), out);
            return "timeout";
        }
        // a descendant that outlives the hook would hold the pipe open: it is not the hook's answer
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        joinQuietly(reader);
        int code = p.exitValue();
        if (code == 0) {
            LOG.infof("fence hook %s for node %s exited 0. Output: %s", h.name(), hostname, out);
            return "confirmed";
        }
        LOG.warnf("fence hook %s for node %s exited %d: not confirmed. Output: %s", h.name(), hostname, code, out);
        return "exit";
    }

    private String webhook(Hook h, String node, String hostname, String volume) {
        if (h.webhookUrl() == null || h.webhookUrl().isBlank()) {
            LOG.warnf("fence hook %s has external=webhook but no webhookUrl; set it", h.name());
            return "misconfigured";
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("node", node);
        body.put("hostname", hostname);
        body.put("volume", volume);
        body.put("requestedAt", clock.instant().toString());
        HttpRequest.Builder rq = HttpRequest.newBuilder(URI.create(h.webhookUrl())).timeout(h.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (tokenFile.isPresent()) {
            try {
                String token = Files.readString(tokenFile.get()).trim();
                if (!token.isEmpty()) {
                    rq.header("Authorization", "Bearer " + token);
                }
            } catch (IOException e) {
                LOG.warnf("fence webhook token file %s cannot be read (%s); calling %s without a token", tokenFile.get(),
                        e.getMessage(), h.name());
            }
        }
        try {
            HttpResponse<String> r = http.sendAsync(rq.build(), HttpResponse.BodyHandlers.ofString())
                    .get(h.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            String answer = r.body() == null ? "" : r.body().length() > OUTPUT_LIMIT ? r.body().substring(0, OUTPUT_LIMIT) + "…" : r.body();
            if (r.statusCode() / 100 == 2) {
                LOG.infof("fence webhook %s for node %s answered %d: %s", h.name(), hostname, r.statusCode(), answer);
                return "confirmed";
            }
            LOG.warnf("fence webhook %s for node %s answered %d: not confirmed. Body: %s", h.name(), hostname, r.statusCode(), answer);
            return "status";
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warnf("fence webhook %s for node %s timed out after %s", h.name(), hostname, h.timeout());
            return "timeout";
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.net.http.HttpTimeoutException) {
                LOG.warnf("fence webhook %s for node %s timed out after %s", h.name(), hostname, h.timeout());
                return "timeout";
            }
            LOG.warnf("fence webhook %s for node %s failed: %s", h.name(), hostname, String.valueOf(e.getCause()));
            return "error";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "error";
        }
    }

    private static void killTree(Process p) {
        // children first, so none is re-parented and missed while its parent goes
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Counter counter(String name, Hook h, String outcome) {
        Counter.Builder b = Counter.builder(name).tags("hook", h.tag(), "kind", h.kind().value());
        if (outcome != null) {
            b.tag("outcome", outcome);
        }
        return b.register(registry);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** Keeps the first {@value #OUTPUT_LIMIT} bytes and drains the rest, so the hook never blocks on a full pipe. */
    private static final class BoundedOutput implements Runnable {
        private final InputStream in;
        private final byte[] buf = new byte[OUTPUT_LIMIT];
        private int len;
        private long dropped;

        BoundedOutput(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] chunk = new byte[1024];
            try (in) {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    synchronized (this) {
                        int keep = Math.min(n, OUTPUT_LIMIT - len);
                        System.arraycopy(chunk, 0, buf, len, keep);
                        len += keep;
                        dropped += n - keep;
                    }
                }
            } catch (IOException e) {
                // the process was killed: what was read is what there is
            }
        }

        @Override
        public synchronized String toString() {
            String s = new String(buf, 0, len, StandardCharsets.UTF_8).strip();
            return (s.isEmpty() ? "(none)" : s) + (dropped > 0 ? " … (" + dropped + " more bytes dropped)" : "");
        }
    }
}
