package dev.relocator.sim;

/**
 * Which controller the simulation runs. Only {@link #CORRECT} is the product; the others are
 * deliberately broken negative controls that exist only in test code, to prove the checker
 * catches what it claims to catch.
 */
enum Variant {
    CORRECT,
    /** The controller does not mirror the agents' peer-majority rule: lease expiry alone is evidence. */
    NO_PEER_MIRROR,
    /** The controller treats two missed heartbeats as an expired lease: starts before the writer is surely dead. */
    START_BEFORE_FENCE,
    /** A planned move's source counts as fenced (as if powered off) without the agent's confirmation. */
    PLANNED_MOVE_UNCONFIRMED,
    /** A fence hook that failed or timed out counts as a confirmed power-off. */
    FAILED_HOOK_AS_EVIDENCE,
    /** A hand-over extension is granted and acked, but the controller's lease expiry ignores it. */
    HANDOVER_NOT_HONOURED,
    /** The stopping agent extends its own lease file without a controller's grant (HANDOVER seeds only). */
    HANDOVER_UNACKNOWLEDGED
}
