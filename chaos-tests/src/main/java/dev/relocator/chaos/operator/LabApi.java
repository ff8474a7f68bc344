package dev.relocator.chaos.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.chaos.lab.LabException;
import dev.relocator.chaos.lab.SwarmLab;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The operator's REST API (docs/api.md) on a lab manager, the way a user reaches it: port 9494 of the
 * manager's own instance (published in host mode by {@link #PUBLISH_OVERRIDE}), mutations with the
 * bearer token of the stack's secret {@code relocator_api_token}, read where the operator reads it.
 */
public final class LabApi {

    public static final String BASE = "/apis/relocator.dev/v1alpha1";
    public static final String VOLUMES = BASE + "/relocatablevolumes";
    public static final String CONFIGS = BASE + "/relocatorconfigs";
    public static final int PORT = 9494;
    /**
     * A compose file merged into the operator stack: publishes the API port on every node's own address
     * (host mode, no routing mesh, so a call reaches the instance of the node it names).
     */
    public static final String PUBLISH_OVERRIDE = """
            version: "3.8"
            services:
              operator:
                ports:
                  - target: %d
                    published: %d
                    protocol: tcp
                    mode: host
            """.formatted(PORT, PORT);

    /** One answer: HTTP status and the body as JSON (a Kubernetes object or a Status). */
    public record Answer(int code, JsonNode body) {
        public Answer orThrow(int expected, String what) {
            if (code != expected) {
                throw new LabException(what + ": HTTP " + code + " (expected " + expected + "): " + body);
            }
            return this;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    private LabApi(String base, String token) {
        this.base = base;
        this.token = token;
    }

    /** Writes {@link #PUBLISH_OVERRIDE} into {@code dir} for {@link OperatorStack#deploy(SwarmLab, java.util.List)}. */
    public static Path writePublishOverride(Path dir) {
        try {
            Files.createDirectories(dir);
            Path f = dir.resolve("docker-stack.api-port.yml");
            Files.writeString(f, PUBLISH_OVERRIDE);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the API port override", e);
        }
    }

    /** The API of the first manager's instance, with the token its operator container holds. */
    public static LabApi onManager(SwarmLab lab) {
        String manager = lab.managers().get(0).name();
        String container = lab.docker(manager, "ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + OperatorStack.SERVICE)
                .orThrow("operator container on " + manager).stdout().lines().findFirst()
                .orElseThrow(() -> new LabException("no operator container on " + manager));
        String token = lab.docker(manager, "exec", container, "cat", "/run/secrets/relocator_api_token")
                .orThrow("read the API token").stdout().strip();
        return new LabApi("http://" + lab.nodeIp(manager) + ":" + PORT, token);
    }

    public Answer get(String path) {
        return send("GET", path, null, null);
    }

    public Answer post(String path, JsonNode body) {
        return send("POST", path, "application/json", body);
    }

    public Answer put(String path, JsonNode body) {
        return send("PUT", path, "application/json", body);
    }

    public Answer mergePatch(String path, JsonNode body) {
        return send("PATCH", path, "application/merge-patch+json", body);
    }

    public Answer delete(String path) {
        return send("DELETE", path, null, null);
    }

    /** The stored object's status, or an empty object before the controller wrote one. */
    public JsonNode status(String volume) {
        return get(VOLUMES + "/" + volume).orThrow(200, "get " + volume).body().path("status");
    }

    /** The condition of {@code type} in a status, if any. */
    public static Optional<JsonNode> condition(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (type.equals(c.path("type").asText())) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Some condition of the status carries this reason. */
    public static boolean hasReason(JsonNode status, String reason) {
        for (JsonNode c : status.path("conditions")) {
            if (reason.equals(c.path("reason").asText())) {
                return true;
            }
        }
        return false;
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Answer send(String method, String path, String contentType, JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .header("Accept", "application/json");
        if (!method.equals("GET")) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            String text = r.body() == null ? "" : r.body();
            JsonNode json;
            try {
                json = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
            } catch (IOException e) {
                json = JSON.getNodeFactory().textNode(text);
            }
            return new Answer(r.statusCode(), json);
        } catch (IOException e) {
            throw new LabException(method + " " + base + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted during " + method + " " + path, e);
        }
    }
}
