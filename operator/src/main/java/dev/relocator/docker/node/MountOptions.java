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
 */
public final class MountOptions {

    private MountOptions() {
    }

    public static boolean supported(String driver) {
        return "local".equals(driver);
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
