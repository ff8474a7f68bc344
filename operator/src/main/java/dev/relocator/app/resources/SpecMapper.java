package dev.relocator.app.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.api.ResourcesApi;
import dev.relocator.core.controller.Placement;
import dev.relocator.core.model.MoveRequest;
import dev.relocator.core.model.VolumeSpec;
import dev.relocator.crd.Resources;
import dev.relocator.crd.model.Spec;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * A stored RelocatableVolume (a JSON tree the API validated against the CRD) to the core's
 * {@link VolumeSpec}. Everything is checked before anything is returned: a resource that cannot be
 * mapped yields an {@link Invalid} naming the field and the fix, and the controller applies none of
 * it (see docs/api.md, "Status").
 */
public final class SpecMapper {

    private static final ObjectMapper JSON = Resources.jsonMapper();

    private SpecMapper() {
    }

    /** The outcome of mapping one resource: exactly one of {@code spec} and {@code invalid} is set. */
    public record Result(VolumeSpec spec, Spec.Fencing fencing, Invalid invalid) {
        public boolean valid() {
            return invalid == null;
        }
    }

    /** Why a resource cannot be applied. */
    public record Invalid(String field, String message) {
        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    public static Result map(ObjectNode rv) {
        String name = rv.path("metadata").path("name").asText("");
        if (name.isEmpty()) {
            return invalid("metadata.name", "is missing; every stored RelocatableVolume has one, so the store is damaged: "
                    + "delete and re-create the object");
        }
        JsonNode specNode = rv.get("spec");
        if (specNode == null || !specNode.isObject()) {
            return invalid("spec", "is missing; re-apply the resource with its spec");
        }
        Spec spec;
        try {
            spec = JSON.treeToValue(specNode, Spec.class);
        } catch (Exception e) {
            return invalid("spec", "does not match the RelocatableVolume schema (" + firstLine(e.getMessage())
                    + "); re-apply it through the API, which validates it and names the field");
        }
        Optional<Invalid> ownershipProblem = ownershipProblem(spec);
        if (ownershipProblem.isPresent()) {
            return new Result(null, null, ownershipProblem.get());
        }
        MoveRequest move;
        try {
            move = move(rv.path("metadata").path("annotations"));
        } catch (IllegalArgumentException e) {
            return invalid("metadata.annotations", e.getMessage());
        }
        for (String c : spec.placement() == null ? java.util.List.<String>of() : spec.placement().constraints()) {
            try {
                Placement.validate(c);
            } catch (IllegalArgumentException e) {
                return invalid("spec.placement.constraints", e.getMessage());
            }
        }
        VolumeSpec v;
        try {
            Spec.Ownership o = spec.ownership();
            VolumeSpec.Ownership ownership = o == null ? VolumeSpec.Ownership.UNCHANGED
                    : new VolumeSpec.Ownership(o.uid() == null ? null : o.uid().intValue(), o.gid() == null ? null : o.gid().intValue(),
                    o.mode());
            Spec.Fencing f = spec.fencing();
            v = new VolumeSpec(name, spec.service(), spec.volume().name(), spec.volume().driver(), spec.volume().options(),
                    spec.target(), ownership, new VolumeSpec.MountOptions(spec.mountOptions().nosuid(), spec.mountOptions().nodev()),
                    f.leaseSeconds() > 0 ? Duration.ofSeconds(f.leaseSeconds()) : null, f.external() != Spec.External.NONE,
                    spec.placement() == null ? null : spec.placement().constraints(),
                    spec.policy().onTaskFailure() == Spec.OnTaskFailure.RELOCATE
                            ? VolumeSpec.TaskFailurePolicy.RELOCATE : VolumeSpec.TaskFailurePolicy.RESTART,
                    spec.paused(), move);
        } catch (IllegalArgumentException e) {
            return invalid("spec", e.getMessage());
        }
        return new Result(v, spec.fencing(), null);
    }

    private static Optional<Invalid> ownershipProblem(Spec spec) {
        Spec.Ownership o = spec.ownership();
        if (o == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, Long> e : Map.of("uid", o.uid() == null ? 0L : o.uid(), "gid", o.gid() == null ? 0L : o.gid()).entrySet()) {
            if (e.getValue() < 0 || e.getValue() > Integer.MAX_VALUE) {
                return Optional.of(new Invalid("spec.ownership." + e.getKey(), "is " + e.getValue()
                        + ", outside 0.." + Integer.MAX_VALUE + "; use the numeric id the workload runs as"));
            }
        }
        return Optional.empty();
    }

    /**
     * The planned move the API recorded ({@link ResourcesApi#RELOCATE_TO}, {@link ResourcesApi#DRAIN_FROM},
     * {@link ResourcesApi#REQUESTED_AT}), or null when none is.
     *
     * @throws IllegalArgumentException naming the annotation and the fix
     */
    static MoveRequest move(JsonNode annotations) {
        String to = text(annotations, ResourcesApi.RELOCATE_TO);
        String from = text(annotations, ResourcesApi.DRAIN_FROM);
        String at = text(annotations, ResourcesApi.REQUESTED_AT);
        if (to == null && from == null) {
            return null;
        }
        Instant requestedAt;
        if (at == null) {
            throw new IllegalArgumentException("annotation " + ResourcesApi.REQUESTED_AT + " is missing next to "
                    + (to != null ? ResourcesApi.RELOCATE_TO : ResourcesApi.DRAIN_FROM)
                    + "; ask for the move with POST .../relocate (or /nodes/{node}/drain), which sets both, or remove the annotation");
        }
        try {
            requestedAt = Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("annotation " + ResourcesApi.REQUESTED_AT + "=\"" + at
                    + "\" is not an RFC 3339 UTC time such as 2026-12-04T23:00:00Z; fix it or ask again with POST .../relocate");
        }
        return new MoveRequest(to, from, requestedAt);
    }

    private static String text(JsonNode annotations, String key) {
        JsonNode n = annotations.get(key);
        return n == null || !n.isTextual() || n.asText().isBlank() ? null : n.asText().trim();
    }

    private static Result invalid(String field, String message) {
        return new Result(null, null, new Invalid(field, message));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
