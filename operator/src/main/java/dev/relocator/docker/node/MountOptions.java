package dev.relocator.docker.node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code nosuid}/{@code nodev} for volumes whose driver takes mount options. The {@code local}
 * driver passes {@code o=} to mount(2) (for bind mounts the engine re-mounts to apply the
 * flags), so the flags are appended there. Other drivers have their own option names:
 * their options are passed through unchanged and the caller is told so by
 * {@link #supported(String)}.
 *
 * <p>A bind ({@code type=none}, {@code o=bind}) is the exception the lab found: Docker 20.10's local
 * driver passes the flags to mount(2) with MS_BIND, which ignores them, and re-mounts a bind only
 * to make it read-only. A bind volume therefore carries whatever its device's own mount has: mount
 * the shared storage {@code nosuid,nodev} on every node. {@link #appliedByEngine} tells the two
 * cases apart, and the agent's verify reads the flags actually in effect.
 */
public final class MountOptions {

    private MountOptions() {
    }

    public static boolean supported(String driver) {
        return "local".equals(driver);
    }

    /**
     * Whether the engine itself puts the {@code o=} flags on the mount: {@code local} with a device
     * that is mounted as a file system (nfs, cifs, ext4, tmpfs ...), not a bind of a directory.
     */
    public static boolean appliedByEngine(String driver, Map<String, String> options) {
        if (!supported(driver) || options == null) {
            return false;
        }
        String device = options.get("device");
        if (device == null || device.isBlank()) {
            return false;
        }
        String o = options.getOrDefault("o", "");
        boolean bind = "none".equals(options.get("type"))
                || Arrays.stream(o.split(",")).map(String::trim).anyMatch(f -> f.equals("bind") || f.equals("rbind"));
        return !bind;
    }

    /** Requested flags that {@code mountFlags} (as mountinfo shows them) lacks; empty when all are in effect. */
    public static List<String> missing(java.util.Set<String> mountFlags, boolean nosuid, boolean nodev) {
        List<String> out = new ArrayList<>();
        if (nosuid && !mountFlags.contains("nosuid")) {
            out.add("nosuid");
        }
        if (nodev && !mountFlags.contains("nodev")) {
            out.add("nodev");
        }
        return out;
    }

    public static Map<String, String> apply(String driver, Map<String, String> options, boolean nosuid, boolean nodev) {
        Map<String, String> out = new LinkedHashMap<>(options == null ? Map.of() : options);
        if (!supported(driver) || (!nosuid && !nodev)) {
            return out;
        }
        String device = out.get("device");
        if (device == null || device.isBlank()) {
            // a plain local volume is never mounted: there is nothing to apply the flags to
            return out;
        }
        List<String> flags = new ArrayList<>();
        String o = out.get("o");
        if (o != null && !o.isBlank()) {
            flags.addAll(Arrays.stream(o.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
        }
        if (nosuid) {
            flags.remove("suid");
            if (!flags.contains("nosuid")) {
                flags.add("nosuid");
            }
        }
        if (nodev) {
            flags.remove("dev");
            if (!flags.contains("nodev")) {
                flags.add("nodev");
            }
        }
        out.put("o", String.join(",", flags));
        return out;
    }
}
