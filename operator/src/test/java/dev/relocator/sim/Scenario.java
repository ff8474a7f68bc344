package dev.relocator.sim;

/**
 * The kinds of seed. The kind is drawn from the seed, so a seed alone replays everything.
 * <ul>
 *   <li>CHAOS: several random faults of every kind, then healing; safety (S1–S3) only.</li>
 *   <li>SINGLE_FAULT: one crash or partition (never healed) with a manager majority alive; L1.</li>
 *   <li>BLIP: one network blip shorter than {@code LeaseTiming.blipBound}; L2 (no kill, no move).</li>
 *   <li>OUTAGE: the control plane is lost for many agents at once (quorum loss, ack black-hole,
 *       managers cut from workers); the peer-majority rule and its controller mirror.</li>
 *   <li>FREEZE: a whole node frozen longer than its lease; only with the external fence (the known gap otherwise).</li>
 *   <li>OPS: day-2 operations (planned moves to eligible and ineligible nodes, drains, Swarm drains, pause
 *       and maintenance toggles) mixed with faults of the writer's node; holds (H1), planned-move targets
 *       (M1), and liveness once everything is healed and released.</li>
 *   <li>HANDOVER: an operator update replaces an agent (the writer's or the leader's) with the lease hand-over,
 *       and during the gap the node crashes, is partitioned, or the controller fails over; L2 when nothing
 *       else happens, S1/S2 always, L1 within the extension. Never drawn from a seed: run by its own tests
 *       (forced), so the other scenarios' seeds replay as before.</li>
 * </ul>
 */
enum Scenario {
    CHAOS, SINGLE_FAULT, BLIP, OUTAGE, FREEZE, OPS, HANDOVER
}
