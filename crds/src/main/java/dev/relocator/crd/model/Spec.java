package dev.relocator.crd.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Desired state of a {@link RelocatableVolume}. Instances come out of the loader after
 * schema defaulting, so the defaulted fields are primitives and never absent.
 *
 * @param ownership absent when the volume's ownership is left as the storage has it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Spec(String service, Volume volume, String target, Ownership ownership, MountOptions mountOptions,
                   Fencing fencing, Placement placement, Policy policy, boolean paused) {

    public Spec {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(target, "target");
        mountOptions = mountOptions == null ? MountOptions.DEFAULT : mountOptions;
        fencing = fencing == null ? Fencing.DEFAULT : fencing;
        policy = policy == null ? Policy.DEFAULT : policy;
    }

    public Optional<Ownership> ownershipIfSet() {
        return Optional.ofNullable(ownership);
    }

    /** @param options driver options, e.g. type, o, device for the local driver */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Volume(String name, String driver, Map<String, String> options) {
        public Volume {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(driver, "driver");
            options = Collections2.sortedMap(options);
        }
    }

    /** @param mode octal permission bits as written, e.g. "0700" */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ownership(Long uid, Long gid, String mode) {
        /** The mode as a number, e.g. 0700 → 448. */
        public Optional<Integer> modeBits() {
            return Optional.ofNullable(mode).map(m -> Integer.parseInt(m, 8));
        }
    }

    public record MountOptions(boolean nosuid, boolean nodev) {
        public static final MountOptions DEFAULT = new MountOptions(true, true);
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Fencing(int leaseSeconds, int heartbeatSeconds, External external, List<String> command,
                          String webhookUrl, int timeoutSeconds) {
        public static final Fencing DEFAULT = new Fencing(4, 1, External.NONE, List.of(), null, 30);

        public Fencing {
            external = external == null ? External.NONE : external;
            command = Collections2.list(command);
        }
    }

    public enum External {
        NONE("none"), COMMAND("command"), WEBHOOK("webhook");

        private final String value;

        External(String value) {
            this.value = value;
        }

        @JsonValue
        public String value() {
            return value;
        }

        @JsonCreator
        public static External of(String v) {
            for (External e : values()) {
                if (e.value.equals(v)) {
                    return e;
                }
            }
            throw new IllegalArgumentException("unknown external fence: " + v);
        }
    }

    /** @param constraints Swarm placement constraints, e.g. node.labels.zone==a */
    public record Placement(List<String> constraints) {
        public static final Placement NONE = new Placement(List.of());

        public Placement {
            constraints = Collections2.list(constraints);
        }
    }

    public record Policy(OnTaskFailure onTaskFailure, int maxRestarts) {
        public static final Policy DEFAULT = new Policy(OnTaskFailure.RESTART, 3);

        public Policy {
            onTaskFailure = onTaskFailure == null ? OnTaskFailure.RESTART : onTaskFailure;
        }
    }

    public enum OnTaskFailure {
        RESTART("restart"), RELOCATE("relocate");

        private final String value;

        OnTaskFailure(String value) {
            this.value = value;
        }

        @JsonValue
        public String value() {
            return value;
        }

        @JsonCreator
        public static OnTaskFailure of(String v) {
            for (OnTaskFailure e : values()) {
                if (e.value.equals(v)) {
                    return e;
                }
            }
            throw new IllegalArgumentException("unknown onTaskFailure: " + v);
        }
    }
}
