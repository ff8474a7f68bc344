package dev.relocator.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The host engine as a single-node swarm for the store's integration tests (the same rules as
 * the Docker test kit's TestSwarm: init on loopback unless already a swarm, leave only if this
 * JVM created it and its last user is done). Everything created carries
 * {@code dev.relocator.testkit=true} or a per-run store scope and is removed by it.
 */
public final class SwarmFixture implements AutoCloseable {

    public static final String TEST_LABEL = "dev.relocator.testkit";
    private static int users;
    private static boolean createdHere;

    private final SwarmApi api;
    private final String scope;
    private boolean closed;

    private SwarmFixture(SwarmApi api, String scope) {
        this.api = api;
        this.scope = scope;
    }

    public static URI endpoint() {
        String h = Optional.ofNullable(System.getenv("DOCKER_HOST")).filter(s -> !s.isBlank()).orElse("unix:///var/run/docker.sock");
        return URI.create(h);
    }

    /** Connects, makes sure the engine is a swarm manager, and picks a fresh store scope. */
    public static SwarmFixture start() {
        SwarmApi api = new SwarmApi(endpoint(), Duration.ofSeconds(30));
        SwarmApi.Reply ping;
        try {
            ping = api.send("GET", "/_ping", null);
        } catch (StoreException e) {
            throw new AssertionError("No Docker Engine answers at " + endpoint() + ": run scripts/setup-host.sh or set DOCKER_HOST", e);
        }
        if (!ping.ok()) {
            throw new AssertionError("the Docker Engine at " + endpoint() + " answers _ping with " + ping.status());
        }
        synchronized (SwarmFixture.class) {
            if (!active(api)) {
                ObjectNode init = JsonNodeFactory.instance.objectNode();
                init.put("ListenAddr", "127.0.0.1:2377");
                init.put("AdvertiseAddr", "127.0.0.1");
                SwarmApi.Reply r = api.send("POST", "/swarm/init", init);
                if (!r.ok() && !active(api)) {
                    throw new AssertionError("cannot make the engine a single-node swarm: " + r.message());
                }
                createdHere = r.ok() || createdHere;
            }
            users++;
        }
        return new SwarmFixture(api, "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10));
    }

    private static boolean active(SwarmApi api) {
        JsonNode info = api.send("GET", "/info", null).body();
        return info != null && "active".equals(info.path("Swarm").path("LocalNodeState").asText());
    }

    public SwarmApi api() {
        return api;
    }

    public String scope() {
        return scope;
    }

    public SwarmConfigBackend backend(int history) {
        return new SwarmConfigBackend(new SwarmApi(endpoint(), Duration.ofSeconds(30)), scope, history);
    }

    /** A new store on this scope: what a restarted operator would build. */
    public VersionedResourceStore newStore() {
        SwarmApi own = new SwarmApi(endpoint(), Duration.ofSeconds(30));
        return new VersionedResourceStore(new SwarmConfigBackend(own, scope, SwarmConfigBackend.DEFAULT_HISTORY),
                new SwarmServices(own), dev.relocator.crd.validation.ValidationOptions.defaults(), java.time.Clock.systemUTC(),
                Duration.ofMillis(200));
    }

    /** This scope's configs: id, name, labels and version, for comparing before and after. */
    public TreeSet<String> configs() {
        TreeSet<String> out = new TreeSet<>();
        for (JsonNode c : api.list("/configs", Map.of())) {
            String name = c.path("Spec").path("Name").asText();
            if (scope.equals(c.path("Spec").path("Labels").path(SwarmConfigBackend.SCOPE).asText()) || name.contains(scope)) {
                out.add(c.path("ID").asText() + " " + name + " v" + c.path("Version").path("Index").asLong() + " "
                        + c.path("Spec").path("Labels"));
            }
        }
        return out;
    }

    public List<JsonNode> rawConfigs() {
        return api.list("/configs", Map.of("label", List.of(SwarmConfigBackend.SCOPE + "=" + scope)));
    }

    /** A replicas-0 service with these labels (no task ever runs, so no image is needed). */
    public String createService(String name, Map<String, String> labels) {
        ObjectNode spec = JsonNodeFactory.instance.objectNode();
        spec.put("Name", name);
        ObjectNode l = spec.putObject("Labels");
        labels.forEach(l::put);
        l.put(TEST_LABEL, "true");
        l.put("dev.relocator.test-scope", scope);
        spec.putObject("TaskTemplate").putObject("ContainerSpec").put("Image", "relocator-test/none:0");
        spec.putObject("Mode").putObject("Replicated").put("Replicas", 0);
        SwarmApi.Reply r = api.send("POST", "/services/create", spec);
        if (!r.ok()) {
            throw new AssertionError("cannot create test service " + name + ": " + r.message());
        }
        return r.body().path("ID").asText();
    }

    public void removeService(String id) {
        api.send("DELETE", "/services/" + id, null);
    }

    @Override
    public void close() {
        for (JsonNode c : rawConfigs()) {
            api.send("DELETE", "/configs/" + c.path("ID").asText(), null);
        }
        for (JsonNode s : api.list("/services", Map.of("label", List.of("dev.relocator.test-scope=" + scope)))) {
            api.send("DELETE", "/services/" + s.path("ID").asText(), null);
        }
        synchronized (SwarmFixture.class) {
            if (!closed) {
                closed = true;
                users--;
                if (users == 0 && createdHere) {
                    api.send("POST", "/swarm/leave?force=true", null);
                    createdHere = false;
                }
            }
        }
        api.close();
    }
}
