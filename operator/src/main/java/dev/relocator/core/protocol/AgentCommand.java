package dev.relocator.core.protocol;

import dev.relocator.core.model.VolumeSpec;

/**
 * Controller → agent commands. Delivery is at-least-once and may be lost: the controller
 * re-sends on every reconcile until the agent's heartbeat reports the result. Every command is
 * idempotent and carries the service version it was decided at; an agent ignores a command
 * older than the grants it has seen for that volume.
 */
public sealed interface AgentCommand permits AgentCommand.Fence, AgentCommand.Prepare {

    String volume();

    long version();

    /**
     * Kill every container on the node that mounts {@code volume}, confirm each is gone, then
     * remove the node-local volume reference (unmount). Never touches volume data.
     * The agent keeps the volume fenced until a grant with a newer version arrives.
     */
    record Fence(String volume, long epoch, long version) implements AgentCommand {
    }

    /**
     * Create the volume with the spec's driver and options, apply ownership (uid/gid/mode of the
     * root) and the mount options (nosuid, nodev), and verify the result by mounting it once.
     * Reported as {@code preparedEpoch == epoch} when done.
     */
    record Prepare(VolumeSpec spec, long epoch, long version) implements AgentCommand {
        @Override
        public String volume() {
            return spec.volumeName();
        }
    }
}
