package dev.relocator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;

/** The API over the JDK's HTTP client: a failure becomes a {@link CliException} with the right exit code and a fix. */
final class ApiClient {

    static final String BASE = "/apis/relocator.dev/v1alpha1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI server;
    private final String token;
    private final Duration timeout;
    private final HttpClient http;

    ApiClient(URI server, String token, Duration timeout) {
        this.server = server;
        this.token = token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    record Reply(int code, JsonNode body) {
    }

    JsonNode get(String path) {
        return ok(send("GET", path, null, null));
    }

    /** GET that answers empty on 404 instead of failing. */
    java.util.Optional<JsonNode> find(String path) {
        Reply r = send("GET", path, null, null);
        return r.code() == 404 ? java.util.Optional.empty() : java.util.Optional.of(ok(r));
    }

    Reply send(String method, String path, String contentType, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(resolve(path)).timeout(timeout).header("Accept", "application/json");
        if (token != null && !token.isBlank()) {
            b.header("Authorization", "Bearer " + token.strip());
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNREACHABLE, "interrupted while waiting for " + server);
        }
        JsonNode json = null;
        try {
            json = resp.body().length == 0 ? null : JSON.readTree(resp.body());
        } catch (IOException e) {
            if (resp.statusCode() < 400) {
                throw new CliException(ExitCode.SERVER_ERROR, server + " answered " + resp.statusCode()
                        + " with something that is not JSON: is --server pointing at the Relocator API?");
            }
        }
        return new Reply(resp.statusCode(), json);
    }

    /** Reads a server-sent event stream, handing each data line's JSON to {@code onEvent} until it returns false. */
    void stream(String path, String lastEventId, Predicate<JsonNode> onEvent) {
        HttpRequest.Builder b = HttpRequest.newBuilder(resolve(path)).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (resp.statusCode() != 200) {
            try (InputStream in = resp.body()) {
                fail(new Reply(resp.statusCode(), JSON.readTree(in.readAllBytes())));
            } catch (IOException e) {
                throw new CliException(ExitCode.forHttp(resp.statusCode()), "watch failed with HTTP " + resp.statusCode());
            }
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("data: ") && !onEvent.test(JSON.readTree(line.substring(6)))) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new CliException(ExitCode.UNREACHABLE, "the watch stream from " + server + " broke (" + e.getMessage()
                    + "): run relocatorctl watch --resource-version <last seen> to resume");
        }
        throw new CliException(ExitCode.UNREACHABLE, "the server " + server + " closed the watch stream: resume it with --resource-version");
    }

    /** The body of a 2xx reply, or the server's Status as a CliException. */
    JsonNode ok(Reply r) {
        if (r.code() >= 200 && r.code() < 300) {
            return r.body();
        }
        throw fail(r);
    }

    CliException fail(Reply r) {
        JsonNode s = r.body();
        String reason = s == null ? "HTTP " + r.code() : s.path("reason").asText("HTTP " + r.code());
        StringBuilder m = new StringBuilder("Error from server (").append(reason).append("): ")
                .append(s == null ? "no details" : s.path("message").asText(""));
        if (s != null) {
            for (JsonNode c : s.path("details").path("causes")) {
                m.append("\n  ").append(c.path("field").asText("")).append(": ").append(c.path("message").asText());
            }
        }
        if (r.code() == 401) {
            m.append("\nhint: pass --token-file FILE or set RELOCATOR_TOKEN to the value of the relocator_api_token secret");
        }
        return new CliException(ExitCode.forHttp(r.code()), m.toString());
    }

    private URI resolve(String path) {
        String base = server.toString().replaceAll("/+$", "");
        return URI.create(base + path);
    }

    private CliException unreachable(IOException e) {
        String why = e instanceof ConnectException ? "connection refused"
                : e instanceof HttpConnectTimeoutException ? "connect timed out"
                : e instanceof HttpTimeoutException ? "no answer within " + timeout.toSeconds() + "s"
                : e.toString();
        return new CliException(ExitCode.UNREACHABLE, "cannot reach the Relocator API at " + server + " (" + why + "): "
                + "check that the operator runs and publishes its port, then pass --server URL or set RELOCATOR_SERVER "
                + "(on a manager: --server http://127.0.0.1:9494)");
    }
}
