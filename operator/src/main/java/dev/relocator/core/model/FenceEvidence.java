package dev.relocator.core.model;

/**
 * Why the controller believes the previous writer is dead; recorded in
 * {@link Labels#EVIDENCE} when Fencing ends, so every start can be traced back to it (S2).
 */
public enum FenceEvidence {
    /** Nothing yet (Attached, Fencing, or a first placement before any start). */
    NONE,
    /** There never was a writer: first placement of a Pending volume. */
    NEVER_ATTACHED,
    /** The source's agent reported its containers of the volume gone, having seen the revocation. */
    AGENT_CONFIRMED,
    /** The source's lease expired (controller view plus drift margin) and the peer-majority mirror held. */
    LEASE_EXPIRED,
    /** The external fence hook confirmed the source node is powered off. */
    EXTERNAL_FENCE;

    public static FenceEvidence fromLabel(String value) {
        if (value == null || value.isEmpty()) {
            return NONE;
        }
        return valueOf(value);
    }
}
