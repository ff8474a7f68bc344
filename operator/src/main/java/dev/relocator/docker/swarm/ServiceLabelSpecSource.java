package dev.relocator.docker.swarm;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.Service;
import com.github.dockerjava.api.model.ServiceSpec;
import dev.relocator.core.model.VolumeSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * RelocatableVolume specs declared on the workload service itself (the stack-file form): a
 * service labelled {@code relocator.dev/volume=<volume>} whose task template mounts that named
 * volume. Driver, options and target come from the mount, so the stack file states them once;
 * ownership, lease and the external-fence flag come from optional labels. A service that opts in
 * but cannot be turned into a spec is reported in {@link Result#rejected()} with the reason, and
 * nothing is done for it.
 */
public final class ServiceLabelSpecSource {

    public static final String UID = RelocatorLabels.PREFIX + "uid";
    public static final String GID = RelocatorLabels.PREFIX + "gid";
    public static final String MODE = RelocatorLabels.PREFIX + "mode";
    public static final String LEASE_SECONDS = RelocatorLabels.PREFIX + "lease-seconds";
    public static final String EXTERNAL_FENCE = RelocatorLabels.PREFIX + "external-fence";
    public static final String TASK_FAILURE_POLICY = RelocatorLabels.PREFIX + "task-failure-policy";

    private final DockerClient docker;

    public ServiceLabelSpecSource(DockerClient docker) {
        this.docker = Objects.requireNonNull(docker, "docker");
    }

    public record Result(List<VolumeSpec> specs, Map<String, String> rejected) {
    }

    public Result list() {
        List<Service> services;
        try {
            services = docker.listServicesCmd().exec();
        } catch (DockerException e) {
            throw new SwarmException("cannot list services to find RelocatableVolume specs: " + e.getMessage(), e);
        }
        List<VolumeSpec> specs = new ArrayList<>();
        Map<String, String> rejected = new java.util.TreeMap<>();
        for (Service s : services) {
            ServiceSpec spec = s.getSpec();
            if (spec == null || spec.getLabels() == null || !spec.getLabels().containsKey(RelocatorLabels.VOLUME)) {
                continue;
            }
            try {
                specs.add(toSpec(spec));
            } catch (IllegalArgumentException e) {
                rejected.put(spec.getName(), e.getMessage());
            }
        }
        return new Result(specs, rejected);
    }

    static VolumeSpec toSpec(ServiceSpec spec) {
        Map<String, String> labels = spec.getLabels();
        String volume = labels.get(RelocatorLabels.VOLUME);
        RelocatorLabels.requireVolumeName(volume);
        Mount mount = null;
        if (spec.getTaskTemplate() != null && spec.getTaskTemplate().getContainerSpec() != null
                && spec.getTaskTemplate().getContainerSpec().getMounts() != null) {
            for (Mount m : spec.getTaskTemplate().getContainerSpec().getMounts()) {
                if ((m.getType() == null || m.getType() == MountType.VOLUME) && volume.equals(m.getSource())) {
                    mount = m;
                }
            }
        }
        if (mount == null) {
            throw new IllegalArgumentException("service " + spec.getName() + " is labelled " + RelocatorLabels.VOLUME + "=" + volume
                    + " but mounts no volume of that name; add a mount (type=volume,source=" + volume + ",target=...) to the service");
        }
        String driver = "local";
        Map<String, String> options = Map.of();
        if (mount.getVolumeOptions() != null && mount.getVolumeOptions().getDriverConfig() != null) {
            if (mount.getVolumeOptions().getDriverConfig().getName() != null) {
                driver = mount.getVolumeOptions().getDriverConfig().getName();
            }
            if (mount.getVolumeOptions().getDriverConfig().getOptions() != null) {
                options = mount.getVolumeOptions().getDriverConfig().getOptions();
            }
        }
        VolumeSpec.Ownership ownership = new VolumeSpec.Ownership(intLabel(labels, UID), intLabel(labels, GID), labels.get(MODE));
        Duration lease = labels.containsKey(LEASE_SECONDS) ? Duration.ofSeconds(intLabel(labels, LEASE_SECONDS)) : null;
        boolean externalFence = "true".equals(labels.get(EXTERNAL_FENCE));
        VolumeSpec.TaskFailurePolicy policy = null;
        if (labels.containsKey(TASK_FAILURE_POLICY)) {
            try {
                policy = VolumeSpec.TaskFailurePolicy.valueOf(labels.get(TASK_FAILURE_POLICY).trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("label " + TASK_FAILURE_POLICY + "='" + labels.get(TASK_FAILURE_POLICY)
                        + "' on service " + spec.getName() + " must be restart or relocate");
            }
        }
        List<String> placement = new ArrayList<>();
        for (String c : Placement.constraints(spec)) {
            if (!Placement.isPin(c)) {
                placement.add(c);
            }
        }
        return new VolumeSpec(volume, spec.getName(), volume, driver, options, mount.getTarget(), ownership,
                null, lease, externalFence, placement, policy);
    }

    private static Integer intLabel(Map<String, String> labels, String key) {
        String raw = labels.get(key);
        if (raw == null) {
            return null;
        }
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("label " + key + "='" + raw + "' is not a whole number");
        }
    }
}
