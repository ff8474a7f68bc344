package dev.relocator.docker;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DockerEndpointTest {

    @Test
    void explicitThenDockerHostThenTheDefaultSocket() {
        assertEquals(URI.create("tcp://10.0.0.1:2375"), DockerEndpoint.resolve(Optional.of("tcp://10.0.0.1:2375"), Map.of("DOCKER_HOST", "unix:///x.sock")));
        assertEquals(URI.create("unix:///x.sock"), DockerEndpoint.resolve(Optional.empty(), Map.of("DOCKER_HOST", "unix:///x.sock")));
        assertEquals(URI.create("unix:///var/run/docker.sock"), DockerEndpoint.resolve(Optional.empty(), Map.of()));
        assertEquals(URI.create("unix:///var/run/docker.sock"), DockerEndpoint.resolve(Optional.of(" "), Map.of("DOCKER_HOST", "")));
    }

    @Test
    void aWrongSchemeNamesTheAcceptedForms() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DockerEndpoint.resolve(Optional.of("http://h:2375"), Map.of()));
        assertTrue(e.getMessage().contains("unix:///"), e.getMessage());
    }

    @Test
    void clientSettingsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> DockerClients.Settings.defaults().withResponseTimeout(java.time.Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new DockerClients.Settings(Optional.empty(),
                java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1), 0));
    }
}
