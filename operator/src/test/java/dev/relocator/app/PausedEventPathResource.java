package dev.relocator.app;

import dev.relocator.testkit.docker.DockerEngine;
import dev.relocator.testkit.docker.EngineProxy;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts the application with its event stream behind a paused fault proxy, so the test can
 * observe readiness before the first sync and release the path when it wants to. Requests go
 * straight to the real engine.
 */
public class PausedEventPathResource implements QuarkusTestResourceLifecycleManager {

    static volatile EngineProxy proxy;

    @Override
    public Map<String, String> start() {
        try (var probe = DockerEngine.connect()) {
            proxy = new EngineProxy(DockerEngine.endpoint());
            proxy.pause(true);
            Path leaseDir = Files.createTempDirectory("relocator-lease");
            return Map.of(
                    "relocator.docker.event-host", proxy.host(),
                    "relocator.agent.lease-file", leaseDir.resolve("lease").toString(),
                    "relocator.watch.resync-period", "2s",
                    "quarkus.http.test-port", "0");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }
}
