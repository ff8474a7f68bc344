package dev.relocator.core.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The part of a {@code RelocatableVolume} spec the core needs. The CRD module owns the
 * full resource; an adapter maps it to this record.
 *
 * @param name            resource name, also the Kafka key of the volume's events
 * @param service         the workload service (exactly one replica)
 * @param volumeName      the Docker volume name
 * @param driver          volume driver, e.g. {@code local}
 * @param driverOptions   driver options, e.g. {@code type=nfs, o=addr=..., device=...}
 * @param targetPath      mount path inside the container
 * @param ownership       applied on attach (uid/gid/mode of the volume root)
 * @param mountOptions    nosuid/nodev, so no setuid file or device node on the volume reaches the host
 * @param lease           the agent lease (default 4 s)
 * @param externalFence   true: a fence hook can power a node off; lease expiry alone is then
 *                        never accepted as evidence (it closes the frozen-node gap)
 * @param placement       user placement constraints (the pin is added by the controller)
 * @param taskFailurePolicy what a repeatedly failing task does
 * @param paused          true: observe only, start no relocation (one in flight finishes)
 * @param move            a planned move or drain the user asked for, or null
 */
public record VolumeSpec(String name, String service, String volumeName, String driver,
                         Map<String, String> driverOptions, String targetPath, Ownership ownership,
                         MountOptions mountOptions, Duration lease, boolean externalFence,
                         List<String> placement, TaskFailurePolicy taskFailurePolicy,
                         boolean paused, MoveRequest move) {

    /** A spec that is not paused and has no move requested. */
    public VolumeSpec(String name, String service, String volumeName, String driver,
                      Map<String, String> driverOptions, String targetPath, Ownership ownership,
                      MountOptions mountOptions, Duration lease, boolean externalFence,
                      List<String> placement, TaskFailurePolicy taskFailurePolicy) {
        this(name, service, volumeName, driver, driverOptions, targetPath, ownership, mountOptions, lease,
                externalFence, placement, taskFailurePolicy, false, null);
    }

    public VolumeSpec withPaused(boolean p) {
        return new VolumeSpec(name, service, volumeName, driver, driverOptions, targetPath, ownership, mountOptions,
                lease, externalFence, placement, taskFailurePolicy, p, move);
    }

    public VolumeSpec withMove(MoveRequest m) {
        return new VolumeSpec(name, service, volumeName, driver, driverOptions, targetPath, ownership, mountOptions,
                lease, externalFence, placement, taskFailurePolicy, paused, m);
    }

    public VolumeSpec {
        requireText(name, "name");
        requireText(service, "service");
        requireText(volumeName, "volume.name");
        requireText(driver, "volume.driver");
        requireText(targetPath, "target");
        if (!targetPath.startsWith("/")) {
            throw new IllegalArgumentException("target must be an absolute path, got '" + targetPath + "'");
        }
        driverOptions = driverOptions == null ? Map.of() : Map.copyOf(driverOptions);
        ownership = ownership == null ? Ownership.UNCHANGED : ownership;
        mountOptions = mountOptions == null ? MountOptions.SAFE : mountOptions;
        lease = lease == null ? Duration.ofSeconds(4) : lease;
        placement = placement == null ? List.of() : List.copyOf(placement);
        taskFailurePolicy = taskFailurePolicy == null ? TaskFailurePolicy.RESTART : taskFailurePolicy;
        for (String c : placement) {
            if (Labels.isPin(c)) {
                throw new IllegalArgumentException("placement constraint '" + c + "' pins a node: the controller"
                        + " owns the node.id pin; use node labels (node.labels.zone==a) instead");
            }
        }
    }

    private static void requireText(String v, String field) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("spec." + field + " is required and must not be blank");
        }
    }

    /** Ownership of the volume root, applied on attach; null fields mean "leave as is". */
    public record Ownership(Integer uid, Integer gid, String mode) {
        public static final Ownership UNCHANGED = new Ownership(null, null, null);

        public Ownership {
            if (mode != null && !mode.matches("0?[0-7]{3,4}")) {
                throw new IllegalArgumentException("ownership.mode must be octal like \"0700\", got '" + mode + "'");
            }
            if ((uid != null && uid < 0) || (gid != null && gid < 0)) {
                throw new IllegalArgumentException("ownership uid/gid must be >= 0");
            }
        }
    }

    public record MountOptions(boolean nosuid, boolean nodev) {
        public static final MountOptions SAFE = new MountOptions(true, true);
    }

    public enum TaskFailurePolicy {
        /** Let Swarm restart the task in place; the volume stays. */
        RESTART,
        /** After repeated failures on one node (including mount failures such as "volume in use"), relocate. */
        RELOCATE
    }

    @Override
    public String toString() {
        return "VolumeSpec[" + name + " service=" + service + " volume=" + volumeName + "]";
    }

}
