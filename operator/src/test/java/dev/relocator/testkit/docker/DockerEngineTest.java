package dev.relocator.testkit.docker;

import dev.relocator.docker.DockerClients;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without an engine the integration tests fail, never skip, and say which command fixes it. */
class DockerEngineTest {

    @Test
    void noEngineFailsNamingTheSetupScript() {
        AssertionError e = assertThrows(AssertionError.class, () -> DockerEngine.connect(
                DockerClients.Settings.defaults().withHost("unix:///nonexistent/relocator-test.sock")));
        assertTrue(e.getMessage().contains("scripts/setup-host.sh"), e.getMessage());
        assertTrue(e.getMessage().contains("unix:///nonexistent/relocator-test.sock"), e.getMessage());
    }

    @Test
    void anUnusableDockerHostFailsTheSameWay() {
        AssertionError e = assertThrows(AssertionError.class, () -> DockerEngine.connect(
                DockerClients.Settings.defaults().withHost("http://example.invalid:2375")));
        assertTrue(e.getMessage().contains("scripts/setup-host.sh"), e.getMessage());
    }
}
