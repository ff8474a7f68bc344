package dev.relocator.docker.swarm;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The labels through which Relocator marks what it owns and records an attachment on the
 * workload service itself, so the state survives an operator crash (it lives in Swarm's Raft).
 */
public final class RelocatorLabels {

    public static final String PREFIX = "relocator.dev/";
    /** The controller's state labels on a service (same as the core's {@code Labels.STATE_PREFIX}). */
    public static final String STATE_PREFIX = dev.relocator.core.model.Labels.STATE_PREFIX;
    /** On a service: opts it in; the value is the relocatable volume's name. */
    public static final String VOLUME = PREFIX + "volume";
    /** On a service: the epoch of the current attachment. */
    public static final String EPOCH = STATE_PREFIX + "epoch";
    /** On a service: the node of the current attachment. */
    public static final String NODE = STATE_PREFIX + "node";
    /** On a service: the relocation phase, so a new controller resumes where the old one stopped. */
    public static final String PHASE = STATE_PREFIX + "phase";
    /** On volumes, containers and images Relocator creates: it may remove or kill them. */
    public static final String MANAGED = PREFIX + "managed";
    /** On a volume: it is relocatable (its data lives off-node). */
    public static final String RELOCATABLE = PREFIX + "relocatable";

    /** Docker volume names: what the daemon accepts for a named volume. */
    private static final Pattern VOLUME_NAME = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$");

    private RelocatorLabels() {
    }

    public static String requireVolumeName(String name) {
        if (name == null || !VOLUME_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a valid volume name: use at least two characters from [a-zA-Z0-9_.-], starting with a letter or digit");
        }
        return name;
    }

    /** A volume is relocatable for the agent when Relocator marked it so or created it. */
    public static boolean isRelocatableVolume(Map<String, String> labels) {
        return labels != null && ("true".equals(labels.get(RELOCATABLE)) || "true".equals(labels.get(MANAGED)));
    }

    public static OptionalLong epoch(Map<String, String> labels) {
        String raw = labels == null ? null : labels.get(EPOCH);
        if (raw == null) {
            return OptionalLong.empty();
        }
        try {
            long epoch = Long.parseLong(raw.trim());
            if (epoch < 0) {
                throw new NumberFormatException("negative");
            }
            return OptionalLong.of(epoch);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("label " + EPOCH + "='" + raw + "' is not a non-negative integer; "
                    + "it is written only by Relocator, restore it from the status or remove it to re-adopt the service", e);
        }
    }

    /** The labels of an attachment, merged over the service's other labels. */
    public static Map<String, String> withAttachment(Map<String, String> labels, String nodeId, long epoch, String phase) {
        Objects.requireNonNull(phase, "phase");
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative, got " + epoch);
        }
        Placement.pinConstraint(nodeId); // validates the id
        Map<String, String> out = new HashMap<>(labels == null ? Map.of() : labels);
        out.put(NODE, nodeId);
        out.put(EPOCH, Long.toString(epoch));
        out.put(PHASE, phase);
        return out;
    }

    /** Labels for objects Relocator creates (volumes, helper containers). */
    public static Map<String, String> managed() {
        return Map.of(MANAGED, "true");
    }
}
