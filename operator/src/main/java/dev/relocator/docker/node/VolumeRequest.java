package dev.relocator.docker.node;

import dev.relocator.docker.swarm.RelocatorLabels;

import java.util.Map;
import java.util.Objects;

/**
 * A volume to create on this node for an attachment.
 *
 * @param options driver options as declared in the RelocatableVolume spec
 * @param nosuid  no set-user-id files from the shared storage take effect on this host
 * @param nodev   no device files from the shared storage take effect on this host
 */
public record VolumeRequest(String name, String driver, Map<String, String> options, Map<String, String> labels,
                            boolean nosuid, boolean nodev) {

    public VolumeRequest {
        RelocatorLabels.requireVolumeName(name);
        Objects.requireNonNull(driver, "driver");
        if (driver.isBlank()) {
            throw new IllegalArgumentException("volume " + name + ": driver must not be blank (use 'local' for bind/NFS volumes)");
        }
        options = options == null ? Map.of() : Map.copyOf(options);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** The options actually sent to the driver: the declared ones plus the mount options. */
    public Map<String, String> effectiveOptions() {
        return MountOptions.apply(driver, options, nosuid, nodev);
    }
}
