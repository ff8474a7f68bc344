package dev.relocator.docker.swarm;

import com.github.dockerjava.api.model.ContainerSpec;
import com.github.dockerjava.api.model.Driver;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.ServicePlacement;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.TaskSpec;
import com.github.dockerjava.api.model.VolumeOptions;
import dev.relocator.core.model.VolumeSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceLabelSpecSourceTest {

    private static ServiceSpec service(Map<String, String> labels, String mountSource) {
        Mount mount = new Mount().withType(MountType.VOLUME).withSource(mountSource).withTarget("/var/lib/pg")
                .withVolumeOptions(new VolumeOptions().withDriverConfig(new Driver().withName("local")
                        .withOptions(Map.of("type", "nfs", "o", "addr=nas,rw", "device", ":/pg"))));
        return new ServiceSpec().withName("shop_db").withLabels(new HashMap<>(labels))
                .withTaskTemplate(new TaskSpec().withContainerSpec(new ContainerSpec().withImage("pg").withMounts(List.of(mount)))
                        .withPlacement(new ServicePlacement().withConstraints(List.of("node.labels.zone==a", "node.id==n1"))));
    }

    @Test
    void theMountDeclaresDriverOptionsAndTargetAndLabelsTheRest() {
        VolumeSpec spec = ServiceLabelSpecSource.toSpec(service(Map.of(RelocatorLabels.VOLUME, "pgdata",
                ServiceLabelSpecSource.UID, "999", ServiceLabelSpecSource.GID, "998", ServiceLabelSpecSource.MODE, "0700",
                ServiceLabelSpecSource.LEASE_SECONDS, "6", ServiceLabelSpecSource.EXTERNAL_FENCE, "true",
                ServiceLabelSpecSource.TASK_FAILURE_POLICY, "relocate"), "pgdata"));
        assertEquals("pgdata", spec.name());
        assertEquals("shop_db", spec.service());
        assertEquals("local", spec.driver());
        assertEquals(":/pg", spec.driverOptions().get("device"));
        assertEquals("/var/lib/pg", spec.targetPath());
        assertEquals(new VolumeSpec.Ownership(999, 998, "0700"), spec.ownership());
        assertEquals(Duration.ofSeconds(6), spec.lease());
        assertTrue(spec.externalFence());
        assertEquals(VolumeSpec.TaskFailurePolicy.RELOCATE, spec.taskFailurePolicy());
        assertEquals(List.of("node.labels.zone==a"), spec.placement(), "the pin is the controller's, not the user's placement");
        assertEquals(VolumeSpec.MountOptions.SAFE, spec.mountOptions());
    }

    @Test
    void anOptInWithoutAMatchingMountOrWithBadLabelsIsRejectedWithTheReason() {
        IllegalArgumentException noMount = assertThrows(IllegalArgumentException.class,
                () -> ServiceLabelSpecSource.toSpec(service(Map.of(RelocatorLabels.VOLUME, "pgdata"), "other")));
        assertTrue(noMount.getMessage().contains("mounts no volume of that name"), noMount.getMessage());
        IllegalArgumentException badUid = assertThrows(IllegalArgumentException.class, () -> ServiceLabelSpecSource.toSpec(
                service(Map.of(RelocatorLabels.VOLUME, "pgdata", ServiceLabelSpecSource.UID, "postgres"), "pgdata")));
        assertTrue(badUid.getMessage().contains(ServiceLabelSpecSource.UID), badUid.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServiceLabelSpecSource.toSpec(
                service(Map.of(RelocatorLabels.VOLUME, "pgdata", ServiceLabelSpecSource.TASK_FAILURE_POLICY, "sometimes"), "pgdata")));
    }
}
