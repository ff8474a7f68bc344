package dev.relocator.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The two Docker clients Relocator needs. Request/response calls use a client with a
 * connection and a response timeout, so a hung daemon turns into an error instead of a
 * hung reconcile. The event stream gets its own client without a response timeout: a
 * quiet node legitimately sends nothing for a long time, and a timeout there would cut a
 * healthy stream (stalls are detected by {@link dev.relocator.docker.events.StallDetector}
 * instead). Separate connection pools also keep a long-lived stream from starving requests.
 */
public final class DockerClients implements AutoCloseable {

    /**
     * @param host            explicit engine address; empty means {@code DOCKER_HOST}, then the default socket
     * @param connectTimeout  for both clients
     * @param responseTimeout for the request client only
     * @param maxConnections  pool size of the request client
     */
    public record Settings(Optional<String> host, Duration connectTimeout, Duration responseTimeout, int maxConnections) {
        public Settings {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(responseTimeout, "responseTimeout");
            if (connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
            }
            if (responseTimeout.isNegative() || responseTimeout.isZero()) {
                throw new IllegalArgumentException("responseTimeout must be positive, got " + responseTimeout);
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
            }
        }

        public static Settings defaults() {
            return new Settings(Optional.empty(), Duration.ofSeconds(3), Duration.ofSeconds(15), 16);
        }

        public Settings withHost(String host) {
            return new Settings(Optional.of(host), connectTimeout, responseTimeout, maxConnections);
        }

        public Settings withResponseTimeout(Duration timeout) {
            return new Settings(host, connectTimeout, timeout, maxConnections);
        }
    }

    private final URI host;
    private final DockerClient requests;
    private final DockerClient events;
    private final DockerClient probe;

    private DockerClients(URI host, DockerClient requests, DockerClient events, DockerClient probe) {
        this.host = host;
        this.requests = requests;
        this.events = events;
        this.probe = probe;
    }

    public static DockerClients connect(Settings settings) {
        return connect(settings, settings);
    }

    /**
     * Requests and events may go to different addresses (the integration tests put a fault
     * proxy in front of the event stream only).
     */
    public static DockerClients connect(Settings requestSettings, Settings eventSettings) {
        URI requestHost = DockerEndpoint.resolve(requestSettings.host());
        URI eventHost = DockerEndpoint.resolve(eventSettings.host());
        DockerClient requests = build(requestHost, new ApacheDockerHttpClient.Builder()
                .dockerHost(requestHost)
                .connectionTimeout(requestSettings.connectTimeout())
                .responseTimeout(requestSettings.responseTimeout())
                .maxConnections(requestSettings.maxConnections()));
        DockerClient events = build(eventHost, new ApacheDockerHttpClient.Builder()
                .dockerHost(eventHost)
                .connectionTimeout(eventSettings.connectTimeout())
                .maxConnections(2));
        DockerClient probe = requestHost.equals(eventHost) ? requests : build(eventHost, new ApacheDockerHttpClient.Builder()
                .dockerHost(eventHost)
                .connectionTimeout(eventSettings.connectTimeout())
                .responseTimeout(eventSettings.responseTimeout())
                .maxConnections(2));
        return new DockerClients(requestHost, requests, events, probe);
    }

    private static DockerClient build(URI host, ApacheDockerHttpClient.Builder http) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host.toString())
                .build();
        return DockerClientImpl.getInstance(config, http.sslConfig(config.getSSLConfig()).build());
    }

    public URI host() {
        return host;
    }

    /** For request/response calls; every call is bounded by the response timeout. */
    public DockerClient requests() {
        return requests;
    }

    /**
     * Request/response calls (with timeouts) to the event stream's address: the stream's
     * pings and the daemon clock must travel the stream's path. The request client itself
     * when both addresses are the same.
     */
    public DockerClient requestsToEventHost() {
        return probe;
    }

    /** For the event stream only. */
    public DockerClient events() {
        return events;
    }

    @Override
    public void close() {
        closeQuietly(events);
        if (probe != requests) {
            closeQuietly(probe);
        }
        closeQuietly(requests);
    }

    private static void closeQuietly(DockerClient client) {
        try {
            client.close();
        } catch (IOException | RuntimeException ignored) {
            // closing at shutdown: nothing left to do with an error here
        }
    }
}
