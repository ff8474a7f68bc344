package dev.relocator.docker.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Service and node writes as raw JSON. docker-java's typed specs model only the fields it
 * knows: a spec read through them and written back silently drops the rest (newer container
 * options, a user's ulimits, sysctls ...). Relocator writes other people's services, so it reads
 * the spec as a JSON tree, changes only what it owns, and sends the tree back untouched
 * otherwise, with the version it read: Swarm's compare-and-swap.
 */
final class RawSwarmApi {

    /** Engine 20.10's API; newer engines serve it too. */
    private static final String API = "/v1.41";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DockerHttpClient http;

    RawSwarmApi(DockerClient docker) {
        if (!(docker instanceof DockerClientImpl impl)) {
            throw new IllegalArgumentException("raw Swarm writes need a DockerClientImpl, got " + docker.getClass().getName());
        }
        this.http = impl.getHttpClient();
    }

    record Reply(int status, JsonNode body, String text) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        String message() {
            return body != null && body.hasNonNull("message") ? body.get("message").asText() : text;
        }
    }

    Optional<JsonNode> get(String path) {
        Reply r = send("GET", path, null);
        if (r.status() == 404) {
            return Optional.empty();
        }
        if (!r.ok()) {
            throw new SwarmException("GET " + path + " failed with " + r.status() + ": " + r.message());
        }
        return Optional.of(r.body());
    }

    Reply post(String path, JsonNode body) {
        return send("POST", path, body);
    }

    private Reply send(String method, String path, JsonNode body) {
        DockerHttpClient.Request.Builder b = DockerHttpClient.Request.builder()
                .method(method)
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
        } catch (IOException e) {
            throw new SwarmException(method + " " + path + " failed: " + e.getMessage(), e);
        }
    }

    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static long version(JsonNode object) {
        JsonNode v = object.path("Version").path("Index");
        if (!v.canConvertToLong()) {
            throw new SwarmException("object without Version.Index: " + object.path("ID").asText());
        }
        return v.asLong();
    }

    static ObjectNode specCopy(JsonNode object) {
        JsonNode spec = object.get("Spec");
        if (spec == null || !spec.isObject()) {
            throw new SwarmException("object without a Spec: " + object.path("ID").asText());
        }
        return ((ObjectNode) spec).deepCopy();
    }

    static ObjectMapper json() {
        return JSON;
    }
}
