package dev.relocator.core.protocol;

/**
 * What an agent reports about one relocatable volume on its node.
 *
 * @param volume          volume name
 * @param seenRevision    the highest controller revision ({@code relocator.dev/revision}) the agent has seen
 *                        for this volume, in a grant entry or a command; a report is evidence for a phase
 *                        only if this is at least the revision that phase was written at
 * @param fenced          the agent has revoked the volume locally and will not let it run until a newer grant
 * @param containersAlive containers on this node that mount the volume and are not confirmed gone
 * @param mounted         a node-local volume reference exists
 * @param preparedEpoch   the epoch for which the volume was created and verified here (0: none)
 * @param error           last error of a command on this volume ("" if none)
 */
public record VolumeReport(String volume, long seenRevision, boolean fenced, int containersAlive,
                           boolean mounted, long preparedEpoch, String error) {
    public VolumeReport {
        error = error == null ? "" : error;
    }
}
