package dev.relocator.crd;

import dev.relocator.crd.api.ResourceVersion;
import dev.relocator.crd.api.Status;
import dev.relocator.crd.api.StatusReason;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiModelTest {

    @Test
    void resourceVersionRoundTripsAndRejectsForeignValues() {
        assertEquals("4711", ResourceVersion.of(4711));
        assertEquals(Optional.of(4711L), ResourceVersion.parse("4711"));
        for (String bad : new String[]{"", "abc", "-1", "007", "12345678901234567890", " 1"}) {
            assertEquals(Optional.empty(), ResourceVersion.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> ResourceVersion.of(-1));
    }

    @Test
    void stalePreconditionIsAConflict() {
        assertEquals(Optional.empty(), ResourceVersion.checkPrecondition("RelocatableVolume", "pgdata", "12", 12));
        assertEquals(Optional.empty(), ResourceVersion.checkPrecondition("RelocatableVolume", "pgdata", null, 12));
        Status conflict = ResourceVersion.checkPrecondition("RelocatableVolume", "pgdata", "11", 12).orElseThrow();
        assertEquals(StatusReason.Conflict, conflict.reason());
        assertEquals(409, conflict.code());
        assertEquals("Operation cannot be fulfilled on relocatablevolumes.relocator.dev \"pgdata\": the object has been"
                + " modified; please apply your changes to the latest version and try again", conflict.message());
        Status bad = ResourceVersion.checkPrecondition("RelocatableVolume", "pgdata", "x", 12).orElseThrow();
        assertEquals(400, bad.code());
        assertTrue(bad.message().contains("read the object again"));
    }

    @Test
    void statusFactoriesHaveKubernetesCodes() {
        assertEquals(404, Status.notFound("RelocatableVolume", "x").code());
        assertEquals("relocatablevolumes.relocator.dev \"x\" not found", Status.notFound("RelocatableVolume", "x").message());
        assertEquals(409, Status.alreadyExists("RelocatableVolume", "x").code());
        assertEquals(StatusReason.AlreadyExists, Status.alreadyExists("RelocatableVolume", "x").reason());
        assertEquals(401, Status.unauthorized().code());
        assertEquals("v1", Status.unauthorized().apiVersion());
    }
}
