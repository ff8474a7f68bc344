package dev.relocator.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.relocator.crd.api.Status;
import dev.relocator.crd.api.StatusReason;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The few Engine API calls the store needs, as raw JSON: docker-java's {@code ConfigSpec} models
 * neither labels nor data, and the store lives on exactly those. Requests are bounded by a
 * response timeout so a hung daemon becomes a 503, not a hung API call.
 */
public final class SwarmApi implements AutoCloseable {

    private static final String API = "/v1.41";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DockerHttpClient http;
    private final URI host;

    public SwarmApi(URI host, Duration responseTimeout) {
        this.host = host;
        this.http = new ApacheDockerHttpClient.Builder()
                .dockerHost(host)
                .connectionTimeout(Duration.ofSeconds(3))
                .responseTimeout(responseTimeout)
                .maxConnections(8)
                .build();
    }

    public URI host() {
        return host;
    }

    public record Reply(int status, JsonNode body, String text) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public String message() {
            return body != null && body.hasNonNull("message") ? body.get("message").asText() : text;
        }
    }

    /** GET with a {@code filters} query; the reply must be a JSON array. */
    public List<JsonNode> list(String path, Map<String, List<String>> filters) {
        String q = filters.isEmpty() ? "" : "?filters=" + URLEncoder.encode(toJson(filters), StandardCharsets.UTF_8);
        Reply r = send("GET", path + q, null);
        if (!r.ok() || r.body() == null || !r.body().isArray()) {
            throw unavailable("GET " + path, r);
        }
        List<JsonNode> out = new java.util.ArrayList<>();
        r.body().forEach(out::add);
        return out;
    }

    public Reply send(String method, String path, JsonNode body) {
        DockerHttpClient.Request.Builder b = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.valueOf(method))
                .path(API + path)
                .putHeader("Content-Type", "application/json");
        try {
            if (body != null) {
                b.bodyBytes(JSON.writeValueAsBytes(body));
            }
            try (DockerHttpClient.Response response = http.execute(b.build())) {
                byte[] bytes;
                try (InputStream in = response.getBody()) {
                    bytes = in == null ? new byte[0] : in.readAllBytes();
                }
                String text = new String(bytes, StandardCharsets.UTF_8);
                JsonNode json = null;
                if (!text.isBlank()) {
                    try {
                        json = JSON.readTree(text);
                    } catch (IOException e) {
                        json = null;
                    }
                }
                return new Reply(response.getStatusCode(), json, text.trim());
            }
        } catch (IOException | RuntimeException e) {
            throw new StoreException(Status.failure(StatusReason.ServiceUnavailable, "the Swarm store at " + host
                    + " is unreachable (" + e.getMessage() + "): check that the Docker Engine runs and its socket is mounted", null), e);
        }
    }

    StoreException unavailable(String what, Reply r) {
        String msg = r.message();
        String hint = msg != null && msg.contains("not a swarm manager")
                ? "resources live in the managers' Raft store: run the API on a manager node (or docker swarm init)"
                : "check the engine's log";
        return new StoreException(Status.failure(StatusReason.ServiceUnavailable, what + " on the Swarm store failed with "
                + r.status() + " (" + msg + "): " + hint, null));
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static JsonNode parse(byte[] data) {
        try {
            return JSON.readTree(data);
        } catch (IOException e) {
            throw new IllegalStateException("stored object is not JSON: " + e.getMessage(), e);
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String toJson(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException ignored) {
            // shutting down
        }
    }
}
