package dev.relocator.app;

import dev.relocator.docker.DockerClients;
import dev.relocator.testkit.docker.DockerEngine;
import dev.relocator.testkit.docker.TestImage;
import dev.relocator.testkit.docker.TestSwarm;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.Map;

/**
 * The application on the host engine made a single-node swarm on loopback: the agent and the
 * controller of one instance talk to each other over real HTTP, the controller proves its
 * leadership against real Raft.
 */
public class SingleNodeSwarmResource implements QuarkusTestResourceLifecycleManager {

    static volatile int port;
    private DockerClients docker;
    private TestSwarm swarm;

    @Override
    public Map<String, String> start() {
        docker = DockerEngine.connect();
        swarm = TestSwarm.ensure(docker.requests());
        String image = TestImage.ensure(docker.requests());
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
            return Map.of(
                    "quarkus.http.test-port", Integer.toString(port),
                    "relocator.api.port", Integer.toString(port),
                    "relocator.controller.discovery.manager-addresses", "127.0.0.1:" + port,
                    "relocator.controller.discovery.service-dns", "localhost",
                    "relocator.controller.discovery.refresh", "1s",
                    "relocator.agent.helper-image", image,
                    "relocator.agent.lease-file", Files.createTempDirectory("relocator-lease").resolve("lease").toString(),
                    "relocator.watch.resync-period", "5s");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (swarm != null) {
            swarm.close();
        }
        if (docker != null) {
            docker.close();
        }
    }
}
