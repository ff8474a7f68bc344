package dev.relocator.docker.node;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Owner and mode applied to a volume's root on attach, so the workload's user can write
 * whatever uid created the data on another node. A null part is left as it is.
 *
 * @param mode octal, three or four digits ("0700", "750")
 */
public record Ownership(Integer uid, Integer gid, String mode) {

    private static final Pattern OCTAL = Pattern.compile("^[0-7]{3,4}$");

    public Ownership {
        if ((uid != null && uid < 0) || (gid != null && gid < 0)) {
            throw new IllegalArgumentException("ownership uid and gid must be non-negative numbers, got " + uid + ":" + gid);
        }
        if (mode != null && !OCTAL.matcher(mode).matches()) {
            throw new IllegalArgumentException("ownership mode '" + mode + "' is not octal; write it like \"0700\" or \"750\"");
        }
    }

    public boolean isEmpty() {
        return uid == null && gid == null && mode == null;
    }

    /** The shell commands for the helper; built only from validated numbers, so nothing can be injected. */
    String script(String path) {
        List<String> steps = new ArrayList<>();
        if (uid != null || gid != null) {
            steps.add("chown " + (uid == null ? "" : uid) + (gid == null ? "" : ":" + gid) + " " + path);
        }
        if (mode != null) {
            steps.add("chmod " + mode + " " + path);
        }
        steps.add("stat -c '%u %g %a' " + path);
        return String.join(" && ", steps);
    }

    /** Whether an observed owner and mode satisfy this request. */
    public boolean matches(int observedUid, int observedGid, int observedMode) {
        return (uid == null || uid == observedUid)
                && (gid == null || gid == observedGid)
                && (mode == null || Integer.parseInt(mode, 8) == observedMode);
    }
}
