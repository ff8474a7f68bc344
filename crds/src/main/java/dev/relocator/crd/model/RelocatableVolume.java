package dev.relocator.crd.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Objects;
import java.util.Optional;

/** The RelocatableVolume resource (relocator.dev/v1alpha1), immutable. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RelocatableVolume(String apiVersion, String kind, ObjectMeta metadata, Spec spec, Status status) {

    public static final String GROUP = "relocator.dev";
    public static final String VERSION = "v1alpha1";
    public static final String API_VERSION = GROUP + "/" + VERSION;
    public static final String KIND = "RelocatableVolume";
    public static final String LIST_KIND = "RelocatableVolumeList";
    public static final String PLURAL = "relocatablevolumes";
    /** Acknowledges {@code spec.mountOptions.nosuid: false} or {@code nodev: false}. */
    public static final String ALLOW_INSECURE_MOUNT_ANNOTATION = "relocator.dev/allow-insecure-mount";

    public RelocatableVolume {
        apiVersion = apiVersion == null ? API_VERSION : apiVersion;
        kind = kind == null ? KIND : kind;
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(spec, "spec");
    }

    public String name() {
        return metadata.name();
    }

    public Optional<Status> statusIfSet() {
        return Optional.ofNullable(status);
    }

    public RelocatableVolume withStatus(Status s) {
        return new RelocatableVolume(apiVersion, kind, metadata, spec, s);
    }

    public RelocatableVolume withMetadata(ObjectMeta m) {
        return new RelocatableVolume(apiVersion, kind, m, spec, status);
    }
}
