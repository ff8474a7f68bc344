package dev.relocator.store;

import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.model.RelocatorConfig;
import dev.relocator.crd.validation.ResourceValidator;
import dev.relocator.crd.validation.ValidationOptions;

import java.util.Arrays;
import java.util.Optional;

/** The kinds the store keeps; each has its plural (the API path segment) and a short tag for Swarm config names. */
public enum ResourceKind {
    RELOCATABLE_VOLUME(RelocatableVolume.KIND, RelocatableVolume.PLURAL, "rv"),
    RELOCATOR_CONFIG(RelocatorConfig.KIND, "relocatorconfigs", "rc");

    private final String kind;
    private final String plural;
    private final String tag;

    ResourceKind(String kind, String plural, String tag) {
        this.kind = kind;
        this.plural = plural;
        this.tag = tag;
    }

    public String kind() {
        return kind;
    }

    public String plural() {
        return plural;
    }

    public String listKind() {
        return kind + "List";
    }

    /** Two letters used in Swarm config names, which are limited to 64 characters. */
    public String tag() {
        return tag;
    }

    public ResourceValidator validator(ValidationOptions options) {
        return this == RELOCATABLE_VOLUME ? ResourceValidator.relocatableVolumes(options)
                : ResourceValidator.relocatorConfigs(options);
    }

    public static Optional<ResourceKind> byKind(String kind) {
        return Arrays.stream(values()).filter(k -> k.kind.equals(kind)).findFirst();
    }

    public static Optional<ResourceKind> byPlural(String plural) {
        return Arrays.stream(values()).filter(k -> k.plural.equals(plural)).findFirst();
    }
}
