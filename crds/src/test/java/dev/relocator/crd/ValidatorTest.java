package dev.relocator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.crd.api.Status;
import dev.relocator.crd.api.StatusReason;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.validation.FieldError;
import dev.relocator.crd.validation.ResourceValidator;
import dev.relocator.crd.validation.ValidationException;
import dev.relocator.crd.validation.ValidationOptions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.relocator.crd.Fixtures.fencing;
import static dev.relocator.crd.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidatorTest {

    private final ResourceValidator validator = ResourceValidator.relocatableVolumes(
            ValidationOptions.defaults().withDrivers(List.of("vieux/sshfs:latest")));

    @Test
    void collectsEveryErrorNotOnlyTheFirst() {
        ObjectNode r = Fixtures.base();
        r.withObjectProperty("metadata").put("name", "Bad Name");
        spec(r).withObjectProperty("volume").put("driver", "rexray");
        fencing(r).put("leaseSeconds", 1);
        spec(r).withObjectProperty("ownership").put("uid", -5);
        spec(r).put("target", "relative");
        spec(r).put("bogus", true);
        spec(r).putObject("placement").putArray("constraints").add("node.hostname==a").add("node.hostname==b");
        List<String> fields = validator.validate(r).errors().stream().map(FieldError::field).sorted().toList();
        assertEquals(List.of("metadata.name", "spec.bogus", "spec.fencing.leaseSeconds", "spec.ownership.uid",
                "spec.placement.constraints[1]", "spec.target", "spec.volume.driver"), fields);
    }

    @Test
    void semanticErrorDoesNotRestateASchemaErrorOnTheSameField() {
        ObjectNode r = Fixtures.base();
        fencing(r).put("leaseSeconds", 1);
        fencing(r).put("heartbeatSeconds", 1);
        List<FieldError> errors = validator.validate(r).errors();
        assertEquals(1, errors.size(), errors::toString);
        assertEquals("must be ≥ 2, got 1", errors.get(0).problem());
    }

    @Test
    void pluginDriversOnTheAllowlistPassWithOrWithoutTag() {
        ObjectNode r = Fixtures.base();
        spec(r).withObjectProperty("volume").put("driver", "vieux/sshfs");
        spec(r).withObjectProperty("volume").putObject("options").put("sshcmd", "user@host:/data");
        assertEquals(List.of(), validator.validate(r).errors());
        spec(r).withObjectProperty("volume").put("driver", "vieux/sshfs:latest");
        assertEquals(List.of(), validator.validate(r).errors());
        spec(r).withObjectProperty("volume").put("driver", "vieux/sshfs:next");
        assertEquals("spec.volume.driver", validator.validate(r).errors().get(0).field());
    }

    @Test
    void insecureMountOptionsPassWithTheAcknowledgement() {
        ObjectNode r = Fixtures.base();
        spec(r).putObject("mountOptions").put("nosuid", false).put("nodev", false);
        assertEquals(2, validator.validate(r).errors().size());
        r.withObjectProperty("metadata").putObject("annotations").put(RelocatableVolume.ALLOW_INSECURE_MOUNT_ANNOTATION, "true");
        assertEquals(List.of(), validator.validate(r).errors());
    }

    @Test
    void safeBindMountsAndCompatibleConstraintsPass() {
        ObjectNode r = Fixtures.base();
        ObjectNode o = spec(r).withObjectProperty("volume").putObject("options");
        o.put("type", "none").put("o", "bind,rw").put("device", "/srv/etc-backup/pg");
        spec(r).putObject("placement").putArray("constraints")
                .add("node.hostname!=a").add("node.hostname!=b").add("node.labels.zone==a").add("node.id!=x1");
        assertEquals(List.of(), validator.validate(r).errors());
    }

    @Test
    void requireThrowsWithAKubernetesStatus() {
        ObjectNode r = Fixtures.base();
        fencing(r).put("leaseSeconds", 3).put("heartbeatSeconds", 2);
        ValidationException e = assertThrows(ValidationException.class, () -> validator.require(r));
        Status s = e.toStatus();
        assertEquals("Status", s.kind());
        assertEquals("Failure", s.status());
        assertEquals(StatusReason.Invalid, s.reason());
        assertEquals(422, s.code());
        assertEquals("pgdata", s.details().name());
        assertEquals("RelocatableVolume", s.details().kind());
        assertEquals(1, s.details().causes().size());
        assertEquals("spec.fencing.leaseSeconds", s.details().causes().get(0).field());
        assertEquals("FieldValueInvalid", s.details().causes().get(0).reason());
        assertEquals("must be ≥ 2 × spec.fencing.heartbeatSeconds (2), got 3; one lost heartbeat would already cost the lease: "
                + "set leaseSeconds to at least 4 or heartbeatSeconds to at most 1", s.details().causes().get(0).message());
        JsonNode json = Resources.jsonMapper().valueToTree(s);
        assertEquals("Invalid", json.get("reason").asText());
        assertEquals(422, json.get("code").asInt());
        assertEquals("spec.fencing.leaseSeconds", json.at("/details/causes/0/field").asText());
        assertTrue(json.get("message").asText().startsWith("RelocatableVolume.relocator.dev \"pgdata\" is invalid: spec.fencing.leaseSeconds: "));
    }
}
