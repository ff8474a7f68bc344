package dev.relocator.core.model;

import java.time.Duration;
import java.time.Instant;

/**
 * What the controller knows about one volume, for the resource's {@code status} and the API:
 * the phase read from Swarm in this term plus why it is waiting, if it is.
 *
 * @param state          the state read (or last written) in this term
 * @param waitingReason  CamelCase reason the volume is not progressing (e.g. {@code NoEligibleNode},
 *                       {@code Paused}, {@code TargetUnavailable}), or null
 * @param waitingDetail  a sentence for humans naming the problem and the fix, or null
 * @param lastRelocation the most recent completed relocation in this term, or null
 */
public record VolumeStatus(String name, VolumeState state, String waitingReason, String waitingDetail,
                           LastRelocation lastRelocation) {

    /**
     * A completed relocation. {@code downtime} is from the moment the old writer was stopped
     * (the Fencing CAS) until the new task ran (the Attached CAS).
     *
     * @param trigger CamelCase reason it started: {@code LeaseExpired}, {@code NodeDrained},
     *                {@code PlannedMove}, {@code NodeDrain}, ...
     */
    public record LastRelocation(String from, String to, String trigger, Instant started, Instant finished,
                                 Duration downtime) {
    }
}
