package dev.relocator.app;

import dev.relocator.store.SwarmFixture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link SingleNodeSwarmResource} plus the REST API: a token file and a store scope of this run's
 * own, so the controller reads only the RelocatableVolumes this test creates.
 */
public class WiredSwarmResource extends SingleNodeSwarmResource {

    static final String TOKEN = "wire-token-41c2";
    private SwarmFixture store;
    private Path tokenFile;

    @Override
    public Map<String, String> start() {
        Map<String, String> m = new HashMap<>(super.start());
        store = SwarmFixture.start();
        try {
            tokenFile = Files.createTempFile("relocator-wire-token", "");
            Files.writeString(tokenFile, TOKEN + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        m.put("relocator.rest.token-file", tokenFile.toString());
        m.put("relocator.rest.store.scope", store.scope());
        m.put("relocator.rest.store.poll-interval", "500ms");
        return m;
    }

    @Override
    public void stop() {
        if (store != null) {
            store.close(); // the scope's configs
        }
        try {
            if (tokenFile != null) {
                Files.deleteIfExists(tokenFile);
            }
        } catch (IOException ignored) {
            // a temp file
        }
        super.stop();
    }
}
