package dev.relocator.crd.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Cluster-wide operator settings (relocator.dev/v1alpha1 RelocatorConfig), one object named
 * {@value #NAME}: maintenance mode, the volume-driver allowlist, fence hooks by node label.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RelocatorConfig(String apiVersion, String kind, ObjectMeta metadata, ConfigSpec spec, ConfigStatus status) {

    public static final String KIND = "RelocatorConfig";
    public static final String NAME = "default";

    public RelocatorConfig {
        apiVersion = apiVersion == null ? RelocatableVolume.API_VERSION : apiVersion;
        kind = kind == null ? KIND : kind;
        Objects.requireNonNull(metadata, "metadata");
        spec = spec == null ? new ConfigSpec(null, null, null) : spec;
    }

    /** What applies when no RelocatorConfig exists: no maintenance, local driver only, no hooks. */
    public static RelocatorConfig defaults() {
        return new RelocatorConfig(null, null, ObjectMeta.named(NAME), null, null);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ConfigSpec(Maintenance maintenance, List<String> volumeDrivers, List<FenceHook> fenceHooks) {
        public ConfigSpec {
            maintenance = maintenance == null ? new Maintenance(false, null) : maintenance;
            volumeDrivers = Collections2.list(volumeDrivers);
            fenceHooks = Collections2.list(fenceHooks);
        }

        /**
         * The hook that fences a node with these Swarm labels: the first whose nodeLabels are
         * all present with equal values. A volume's own {@code spec.fencing.external} takes
         * precedence over any hook; that choice belongs to the caller.
         */
        public Optional<FenceHook> hookFor(Map<String, String> nodeLabels) {
            return fenceHooks.stream()
                    .filter(h -> h.nodeLabels().entrySet().stream()
                            .allMatch(e -> e.getValue().equals(nodeLabels.get(e.getKey()))))
                    .findFirst();
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Maintenance(boolean enabled, String reason) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record FenceHook(String name, Map<String, String> nodeLabels, Spec.External external, List<String> command,
                            String webhookUrl, int timeoutSeconds) {
        public FenceHook {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(external, "external");
            nodeLabels = Collections2.sortedMap(nodeLabels);
            command = Collections2.list(command);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ConfigStatus(Long observedGeneration) {
    }
}
