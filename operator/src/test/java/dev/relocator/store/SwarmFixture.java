package dev.relocator.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.relocator.docker.DockerClients;
import dev.relocator.testkit.docker.DockerEngine;
import dev.relocator.testkit.docker.TestLabels;
import dev.relocator.testkit.docker.TestSwarm;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The host engine as a single-node swarm for the store's integration tests ({@link TestSwarm}),
 * plus raw access to the configs of one store scope. Everything created carries
 * {@code dev.relocator.testkit=true} or the per-run store scope and is removed by it.
 */
public final class SwarmFixture implements AutoCloseable {

    public static final String TEST_LABEL = TestLabels.KEY;

    private final SwarmApi api;
    private final DockerClients clients;
    private final TestSwarm swarm;
    private final String scope;

    private SwarmFixture(SwarmApi api, DockerClients clients, TestSwarm swarm, String scope) {
        this.api = api;
        this.clients = clients;
        this.swarm = swarm;
        this.scope = scope;
    }

    public static URI endpoint() {
        String h = Optional.ofNullable(System.getenv("DOCKER_HOST")).filter(s -> !s.isBlank()).orElse("unix:///var/run/docker.sock");
        return URI.create(h);
    }

    /** Connects, makes the engine a swarm manager through the test kit's TestSwarm, and picks a fresh store scope. */
    public static SwarmFixture start() {
        DockerClients clients = DockerEngine.connect();
        TestSwarm swarm = TestSwarm.ensure(clients.requests());
        return new SwarmFixture(new SwarmApi(endpoint(), Duration.ofSeconds(30)), clients, swarm,
                "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10));
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
        return createService(name, labels, t -> { });
    }

    /** A zero-replica test service; {@code taskTemplate} adds mounts or constraints to its task template. */
    public String createService(String name, Map<String, String> labels, java.util.function.Consumer<ObjectNode> taskTemplate) {
        ObjectNode spec = JsonNodeFactory.instance.objectNode();
        spec.put("Name", name);
        ObjectNode l = spec.putObject("Labels");
        labels.forEach(l::put);
        l.put(TEST_LABEL, "true");
        l.put("dev.relocator.test-scope", scope);
        ObjectNode template = spec.putObject("TaskTemplate");
        template.putObject("ContainerSpec").put("Image", "relocator-test/none:0");
        taskTemplate.accept(template);
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
        swarm.close();
        clients.close();
        api.close();
    }
}
