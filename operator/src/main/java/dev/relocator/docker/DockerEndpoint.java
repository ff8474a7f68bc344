package dev.relocator.docker;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Where the Docker Engine is: an explicit setting wins, then {@code DOCKER_HOST}, then the
 * default unix socket. One rule for the application and the test kit, so both talk to the
 * same engine.
 */
public final class DockerEndpoint {

    public static final String DEFAULT_SOCKET = "unix:///var/run/docker.sock";

    private DockerEndpoint() {
    }

    public static URI resolve(Optional<String> configured) {
        return resolve(configured, System.getenv());
    }

    static URI resolve(Optional<String> configured, Map<String, String> env) {
        String raw = configured.filter(s -> !s.isBlank())
                .or(() -> Optional.ofNullable(env.get("DOCKER_HOST")).filter(s -> !s.isBlank()))
                .orElse(DEFAULT_SOCKET);
        URI uri;
        try {
            uri = URI.create(raw.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Docker host '" + raw + "' is not a URI; use unix:///path/to/docker.sock or tcp://host:port", e);
        }
        String scheme = uri.getScheme();
        if (!"unix".equals(scheme) && !"tcp".equals(scheme) && !"npipe".equals(scheme)) {
            throw new IllegalArgumentException("Docker host '" + raw + "' has scheme '" + scheme
                    + "'; use unix:///path/to/docker.sock or tcp://host:port");
        }
        return uri;
    }
}
