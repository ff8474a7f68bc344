package dev.relocator.api;

import dev.relocator.store.SwarmFixture;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The API under test stores into a single-node swarm on the host engine, in a store scope of
 * its own, with a token file written here.
 */
public class ApiTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "test-token-7f3a9c";
    static SwarmFixture swarm;
    static Path tokenFile;

    @Override
    public Map<String, String> start() {
        swarm = SwarmFixture.start();
        try {
            tokenFile = Files.createTempFile("relocator-api-token", "");
            Files.writeString(tokenFile, TOKEN + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort(); // other engineers' tests share this machine: no fixed port
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "quarkus.http.test-port", Integer.toString(port),
                "relocator.api.port", Integer.toString(port),
                // only the API is under test here: no agent fencing the host, no controller moving things
                "relocator.agent.enabled", "false",
                "relocator.controller.enabled", "false",
                "relocator.rest.token-file", tokenFile.toString(),
                "relocator.rest.store.scope", swarm.scope(),
                "relocator.rest.store.poll-interval", "200ms",
                // the store is on the operator's engine: watches follow Docker events, and a change made
                // elsewhere reaches them only through an event within a test's bounds
                "relocator.rest.store.resync-interval", "1h",
                "relocator.rest.watch-keepalive", "1s");
    }

    /** This test run's configs in the swarm, for before/after comparisons. */
    public static java.util.TreeSet<String> swarmConfigs() {
        return swarm.configs();
    }

    @Override
    public void stop() {
        if (swarm != null) {
            swarm.close();
        }
        try {
            if (tokenFile != null) {
                Files.deleteIfExists(tokenFile);
            }
        } catch (IOException ignored) {
            // a temp file
        }
    }
}
