package dev.relocator.testkit.docker;

import dev.relocator.docker.DockerClients;
import dev.relocator.docker.DockerEndpoint;

import java.net.URI;
import java.util.Optional;

/**
 * The real Docker Engine for integration tests, found like the application finds it:
 * {@code DOCKER_HOST}, else the default socket. Without an engine the tests fail (never
 * skip): a green build must mean the Docker paths were exercised.
 */
public final class DockerEngine {

    public static final String SETUP_HINT = "run scripts/setup-host.sh (installs docker.io and starts an engine), "
            + "or point DOCKER_HOST at a running engine";

    private DockerEngine() {
    }

    /** Connects and pings; throws {@link AssertionError} naming the setup command when there is no engine. */
    public static DockerClients connect() {
        return connect(DockerClients.Settings.defaults());
    }

    public static DockerClients connect(DockerClients.Settings settings) {
        URI host;
        try {
            host = DockerEndpoint.resolve(settings.host());
        } catch (IllegalArgumentException e) {
            throw new AssertionError("DOCKER_HOST is unusable: " + e.getMessage() + "; " + SETUP_HINT, e);
        }
        DockerClients clients = DockerClients.connect(settings);
        try {
            clients.requests().pingCmd().exec();
        } catch (RuntimeException e) {
            clients.close();
            throw new AssertionError("No Docker Engine answers at " + host + " (" + e + "). The integration tests need one: " + SETUP_HINT, e);
        }
        return clients;
    }

    /** The engine address the tests use. */
    public static URI endpoint() {
        return DockerEndpoint.resolve(Optional.empty());
    }
}
