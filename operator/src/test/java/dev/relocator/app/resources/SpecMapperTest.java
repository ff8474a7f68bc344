package dev.relocator.app.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.api.ResourcesApi;
import dev.relocator.core.model.MoveRequest;
import dev.relocator.core.model.VolumeSpec;
import dev.relocator.crd.model.Spec;
import dev.relocator.store.Volumes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecMapperTest {

    @Test
    void everyFieldOfAStoredResourceReachesTheCoreSpec() {
        ObjectNode rv = Volumes.valid("pg", o -> {
            ObjectNode spec = (ObjectNode) o.get("spec");
            spec.putObject("mountOptions").put("nosuid", true).put("nodev", false);
            spec.putObject("fencing").put("leaseSeconds", 6).put("external", "command").putArray("command").add("/bin/fence");
            spec.putObject("placement").putArray("constraints").add("node.labels.zone==a");
            spec.putObject("policy").put("onTaskFailure", "relocate");
            spec.put("paused", true);
            ((ObjectNode) o.get("metadata")).putObject("annotations").put(ResourcesApi.RELOCATE_TO, "node-b")
                    .put(ResourcesApi.REQUESTED_AT, "2026-12-04T23:00:00Z")
                    .put(dev.relocator.crd.model.RelocatableVolume.ALLOW_INSECURE_MOUNT_ANNOTATION, "true");
        });
        SpecMapper.Result r = SpecMapper.map(rv);
        assertTrue(r.valid(), () -> String.valueOf(r.invalid()));
        VolumeSpec s = r.spec();
        assertEquals("pg", s.name());
        assertEquals("shop_db", s.service());
        assertEquals("pg-data", s.volumeName());
        assertEquals("local", s.driver());
        assertEquals(Map.of("type", "nfs", "o", "addr=nas,rw", "device", ":/pg"), s.driverOptions());
        assertEquals("/var/lib/postgresql/data", s.targetPath());
        assertEquals(new VolumeSpec.Ownership(999, 999, "0700"), s.ownership());
        assertEquals(new VolumeSpec.MountOptions(true, false), s.mountOptions());
        assertEquals(Duration.ofSeconds(6), s.lease());
        assertTrue(s.externalFence());
        assertEquals(List.of("node.labels.zone==a"), s.placement());
        assertEquals(VolumeSpec.TaskFailurePolicy.RELOCATE, s.taskFailurePolicy());
        assertTrue(s.paused());
        assertEquals(MoveRequest.relocateTo("node-b", Instant.parse("2026-12-04T23:00:00Z")), s.move());
        assertEquals(Spec.External.COMMAND, r.fencing().external());
        assertEquals(List.of("/bin/fence"), r.fencing().command());
    }

    @Test
    void defaultsGiveTheCoreDefaults() {
        SpecMapper.Result r = SpecMapper.map(Volumes.valid("pg", o -> ((ObjectNode) o.get("spec")).remove("ownership")));
        VolumeSpec s = r.spec();
        assertEquals(VolumeSpec.Ownership.UNCHANGED, s.ownership());
        assertEquals(VolumeSpec.MountOptions.SAFE, s.mountOptions());
        assertEquals(Duration.ofSeconds(4), s.lease());
        assertFalse(s.externalFence());
        assertFalse(s.paused());
        assertNull(s.move());
        assertEquals(VolumeSpec.TaskFailurePolicy.RESTART, s.taskFailurePolicy());
    }

    @Test
    void aDrainRequestBecomesAMoveFromTheNode() {
        SpecMapper.Result r = SpecMapper.map(Volumes.valid("pg", o -> ((ObjectNode) o.get("metadata")).putObject("annotations")
                .put(ResourcesApi.DRAIN_FROM, "node-a").put(ResourcesApi.REQUESTED_AT, "2026-12-04T23:00:00Z")));
        assertEquals(MoveRequest.drainFrom("node-a", Instant.parse("2026-12-04T23:00:00Z")), r.spec().move());
    }

    @Test
    void aMoveWithoutItsTimeIsInvalidAndNamesTheAnnotation() {
        SpecMapper.Result r = SpecMapper.map(Volumes.valid("pg", o -> ((ObjectNode) o.get("metadata")).putObject("annotations")
                .put(ResourcesApi.RELOCATE_TO, "node-b")));
        assertFalse(r.valid());
        assertNull(r.spec());
        assertEquals("metadata.annotations", r.invalid().field());
        assertTrue(r.invalid().message().contains(ResourcesApi.REQUESTED_AT), r.invalid().message());
        assertTrue(r.invalid().message().contains("POST .../relocate"), "says the fix: " + r.invalid().message());
    }

    @Test
    void aMoveWithABadTimeIsInvalid() {
        SpecMapper.Result r = SpecMapper.map(Volumes.valid("pg", o -> ((ObjectNode) o.get("metadata")).putObject("annotations")
                .put(ResourcesApi.RELOCATE_TO, "node-b").put(ResourcesApi.REQUESTED_AT, "yesterday")));
        assertFalse(r.valid());
        assertTrue(r.invalid().message().contains("\"yesterday\""), r.invalid().message());
    }

    @Test
    void aPlacementTheCoreRejectsIsInvalidAndNamesTheField() {
        ObjectNode rv = Volumes.valid("pg");
        // written around the API's validation (an older operator, a hand-edited config): the mapper still refuses it
        ((ObjectNode) rv.get("spec")).putObject("placement").putArray("constraints").add("engine.labels.disk==ssd");
        SpecMapper.Result r = SpecMapper.map(rv);
        assertFalse(r.valid());
        assertEquals("spec.placement.constraints", r.invalid().field());
    }

    @Test
    void anOwnershipIdOutsideTheIntRangeIsInvalid() {
        ObjectNode rv = Volumes.valid("pg");
        ((ObjectNode) rv.get("spec").get("ownership")).put("uid", 5_000_000_000L);
        SpecMapper.Result r = SpecMapper.map(rv);
        assertFalse(r.valid());
        assertEquals("spec.ownership.uid", r.invalid().field());
    }

    @Test
    void aSpecThatDoesNotMatchTheModelIsInvalid() {
        ObjectNode rv = Volumes.valid("pg");
        ((ObjectNode) rv.get("spec")).put("surprise", 1);
        SpecMapper.Result r = SpecMapper.map(rv);
        assertFalse(r.valid());
        assertEquals("spec", r.invalid().field());
        assertTrue(r.invalid().message().contains("re-apply"), r.invalid().message());
    }
}
