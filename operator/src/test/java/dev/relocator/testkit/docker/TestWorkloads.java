package dev.relocator.testkit.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.relocator.docker.swarm.RelocatorLabels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** Creates opted-in single-replica workload services the way a user would, through the raw API. */
public final class TestWorkloads {

    private TestWorkloads() {
    }

    /**
     * A service {@code name} on the test image that appends to {@code /data/log} and sleeps, with the
     * volume {@code volume} (local driver, bind of {@code shared}) on {@code /data}, opted in with
     * {@code relocator.dev/volume}. The raw form keeps the driver options exact.
     */
    public static void create(DockerClient docker, TestResources resources, String name, String volume, Path shared,
                              int replicas, Map<String, String> extraLabels) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode spec = json.createObjectNode();
        spec.put("Name", name);
        ObjectNode labels = spec.putObject("Labels");
        resources.labels().forEach(labels::put);
        labels.put(RelocatorLabels.VOLUME, volume);
        extraLabels.forEach(labels::put);
        ObjectNode container = spec.putObject("TaskTemplate").putObject("ContainerSpec");
        container.put("Image", resources.image());
        container.putArray("Command").add("sh").add("-c").add("echo started >> /data/log && sleep 3600");
        ObjectNode containerLabels = container.putObject("Labels");
        resources.labels().forEach(containerLabels::put);
        ObjectNode mount = container.putArray("Mounts").addObject();
        mount.put("Type", "volume").put("Source", volume).put("Target", "/data");
        ObjectNode driver = mount.putObject("VolumeOptions").putObject("DriverConfig");
        driver.put("Name", "local");
        driver.putObject("Options").put("type", "none").put("o", "bind").put("device", shared.toString());
        spec.putObject("Mode").putObject("Replicated").put("Replicas", replicas);
        var http = ((DockerClientImpl) docker).getHttpClient();
        try (var response = http.execute(DockerHttpClient.Request.builder()
                .method("POST").path("/v1.41/services/create").putHeader("Content-Type", "application/json")
                .bodyBytes(json.writeValueAsBytes(spec)).build())) {
            assertEquals(201, response.getStatusCode(), "service created");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
