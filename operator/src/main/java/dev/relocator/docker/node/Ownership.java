package dev.relocator.docker.node;

import java.util.regex.Pattern;

/**
 * Owner and mode applied to a volume's root on attach, so the workload's user can write
 * whatever uid created the data on another node.
 *
 * @param mode octal, three or four digits ("0700", "750")
 */
public record Ownership(int uid, int gid, String mode) {

    private static final Pattern OCTAL = Pattern.compile("^[0-7]{3,4}$");

    public Ownership {
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("ownership uid and gid must be non-negative numbers, got " + uid + ":" + gid);
        }
        if (mode == null || !OCTAL.matcher(mode).matches()) {
            throw new IllegalArgumentException("ownership mode '" + mode + "' is not octal; write it like \"0700\" or \"750\"");
        }
    }
}
