package dev.relocator.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/**
 * Instance-to-instance HTTP over the Swarm overlay network. Asynchronous and bounded: a
 * partitioned peer costs one timeout on a pool thread, never a stall of an agent or
 * controller loop.
 */
@ApplicationScoped
public class InternalClient {

    @Inject
    RelocatorConfig config;
    @Inject
    ObjectMapper json;

    private volatile HttpClient http;

    private HttpClient http() {
        HttpClient h = http;
        if (h == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder().connectTimeout(config.api().requestTimeout())
                            .version(HttpClient.Version.HTTP_1_1).build();
                }
                h = http;
            }
        }
        return h;
    }

    /** {@code address} is host or host:port; the API port is the default. */
    public URI uri(String address, String path) {
        String hostPort = address.contains(":") && !address.startsWith("[") ? address : address + ":" + config.api().port();
        return URI.create("http://" + hostPort + path);
    }

    public CompletableFuture<HttpResponse<String>> post(String address, String path, Object body) {
        String text;
        try {
            text = json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            return CompletableFuture.failedFuture(e);
        }
        HttpRequest request = HttpRequest.newBuilder(uri(address, path))
                .timeout(config.api().requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(text))
                .build();
        return http().sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    public CompletableFuture<HttpResponse<String>> get(String address, String path) {
        return get(address, path, java.util.Map.of());
    }

    public CompletableFuture<HttpResponse<String>> get(String address, String path, java.util.Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(address, path)).timeout(config.api().requestTimeout()).GET();
        headers.forEach(b::header);
        return http().sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public <T> T read(String body, Class<T> type) {
        try {
            return json.readValue(body, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
