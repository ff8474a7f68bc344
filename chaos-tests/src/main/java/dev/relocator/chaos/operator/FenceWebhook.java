package dev.relocator.chaos.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.relocator.chaos.lab.SwarmLab;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * The lab's power switch behind the operator's fence-hook webhook (FenceHooks: POST
 * {@code {"node","hostname","volume","requestedAt"}}, 2xx = the node is off). Served by the test JVM
 * on the lab network's gateway, which the operator instances inside the nodes reach. Two paths:
 * <ul>
 *   <li>{@code /fence/confirm}: kills the named node's container through the host engine (the lab's
 *       power-off) and answers 200 only once the engine confirmed the kill;</li>
 *   <li>{@code /fence/fail}: answers 500 and touches nothing (a hook whose IPMI is unreachable).</li>
 * </ul>
 * Every call is recorded with its times, so a test can show who was fenced and when.
 */
public final class FenceWebhook implements AutoCloseable {

    /** One call: path, the hostname asked for, the volume, when it arrived, the answer and when the node was off (0 if not). */
    public record Call(String path, String hostname, String volume, long receivedMillis, int answer, long offMillis) {
    }

    private final SwarmLab lab;
    private final HttpServer server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    public FenceWebhook(SwarmLab lab) {
        this.lab = lab;
        try {
            server = HttpServer.create(new InetSocketAddress(lab.gatewayAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on the lab gateway " + lab.gatewayAddress(), e);
        }
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "lab-fence-webhook");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/fence/confirm", ex -> handle(ex, true));
        server.createContext("/fence/fail", ex -> handle(ex, false));
        server.start();
    }

    /** The URL the operator posts to: {@code confirm} kills the node, otherwise the hook fails. */
    public String url(boolean confirm) {
        return "http://" + lab.gatewayAddress() + ":" + server.getAddress().getPort() + (confirm ? "/fence/confirm" : "/fence/fail");
    }

    public List<Call> calls() {
        return new ArrayList<>(calls);
    }

    /** Calls for {@code volume} on {@code hostname} received at or after {@code sinceMillis}. */
    public List<Call> calls(String hostname, String volume, long sinceMillis) {
        return calls.stream().filter(c -> c.hostname().equals(hostname) && c.volume().equals(volume) && c.receivedMillis() >= sinceMillis)
                .toList();
    }

    private void handle(HttpExchange ex, boolean confirm) throws IOException {
        long received = System.currentTimeMillis();
        String hostname = "";
        String volume = "";
        int code;
        long off = 0;
        try {
            JsonNode body = LabApi.parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            hostname = body.path("hostname").asText("");
            volume = body.path("volume").asText("");
            if (!confirm) {
                code = 500;
            } else if (lab.nodes().stream().noneMatch(n -> n.name().equals(body.path("hostname").asText("")))) {
                code = 404; // not a lab node: never kill what the lab does not own
            } else {
                String h = hostname;
                // a frozen (paused) node is on too: SwarmLab.containerRunning says false for it, and
                // answering "off" without the kill would let it thaw and write (the matrix's freeze + hook)
                if (poweredOn(h)) {
                    lab.hostDocker().killContainerCmd(lab.node(h).containerId()).exec();
                }
                org.awaitility.Awaitility.await(h + " off").atMost(java.time.Duration.ofSeconds(10))
                        .pollInterval(java.time.Duration.ofMillis(50)).until(() -> !poweredOn(h));
                code = 200;
                off = code == 200 ? System.currentTimeMillis() : 0;
            }
        } catch (RuntimeException e) {
            code = 500;
        }
        calls.add(new Call(ex.getRequestURI().getPath(), hostname, volume, received, code, off));
        byte[] answer = ("{\"node\":\"" + hostname + "\",\"off\":" + (code == 200) + "}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(code, answer.length);
        ex.getResponseBody().write(answer);
        ex.close();
    }

    /** Running as the host engine sees it, paused or not: only a stopped container is a node that is off. */
    private boolean poweredOn(String node) {
        return Boolean.TRUE.equals(lab.hostDocker().inspectContainerCmd(lab.node(node).containerId()).exec().getState().getRunning());
    }

    @Override
    public void close() {
        server.stop(0);
        if (server.getExecutor() instanceof java.util.concurrent.ExecutorService es) {
            es.shutdownNow();
        }
    }
}
