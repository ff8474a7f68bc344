package dev.relocator.core.protocol;

import dev.relocator.core.model.VolumeSpec;

/**
 * Controller → agent commands. Delivery is at-least-once and may be lost: the controller
 * re-sends on every reconcile until the agent's heartbeat reports the result. Every command is
 * idempotent and carries the controller revision ({@code relocator.dev/revision}) of the state it
 * was decided at; an agent ignores a command older than the newest revision it has seen for that volume.
 */
public sealed interface AgentCommand permits AgentCommand.Fence, AgentCommand.Prepare {

    String volume();

    /** The controller revision of the state the command was decided at (never Swarm's version). */
    long revision();

    /**
     * Kill every container on the node that mounts {@code volume}, confirm each is gone, then
     * remove the node-local volume reference (unmount). Never touches volume data.
     * The agent keeps the volume fenced until a grant with a newer revision arrives.
     */
    record Fence(String volume, long epoch, long revision) implements AgentCommand {
    }

    /**
     * Create the volume with the spec's driver and options, apply ownership (uid/gid/mode of the
     * root) and the mount options (nosuid, nodev), and verify the result by mounting it once.
     * Reported as {@code preparedEpoch == epoch} when done.
     */
    record Prepare(VolumeSpec spec, long epoch, long revision) implements AgentCommand {
        @Override
        public String volume() {
            return spec.volumeName();
        }
    }
}
