package dev.relocator.docker.node;

import java.util.Map;

/** A volume reference on this node. */
public record VolumeInfo(String name, String driver, Map<String, String> options, Map<String, String> labels, String mountpoint) {

    public VolumeInfo {
        options = options == null ? Map.of() : Map.copyOf(options);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        mountpoint = mountpoint == null ? "" : mountpoint;
    }

    /**
     * For the {@code local} driver only a volume with a {@code device} (bind, NFS, CIFS ...)
     * keeps its data elsewhere; without one the data lives in the node's Docker root and
     * removing the reference would delete it.
     */
    public boolean dataLivesOffNode() {
        if ("local".equals(driver)) {
            String device = options.get("device");
            return device != null && !device.isBlank();
        }
        return true;
    }
}
