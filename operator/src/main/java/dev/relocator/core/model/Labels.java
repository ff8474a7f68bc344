package dev.relocator.core.model;

/**
 * The label keys under which the per-volume relocation state lives on the workload's
 * Swarm service. Swarm stores them Raft-replicated, which is why a controller failover
 * resumes exactly where the previous one stopped. Every write of these labels is one
 * compare-and-swap service update together with the pin constraint and the replica count.
 */
public final class Labels {
    /** The user's labels: the opt-in and the stack-file shorthand (see crds/README.md). */
    public static final String PREFIX = "relocator.dev/";
    /**
     * The controller's own labels. A separate prefix, so that the controller's writes (which
     * replace every label under it) never touch the user's declaration, and the user's
     * shorthand key {@code relocator.dev/target} (a mount path) never meets the state's target node.
     */
    public static final String STATE_PREFIX = "status.relocator.dev/";
    /** Opt-in label on the service: the relocatable volume's name. */
    public static final String VOLUME = PREFIX + "volume";
    /** {@link Phase#label()}. */
    public static final String PHASE = STATE_PREFIX + "phase";
    /** Current attachment epoch (the one being fenced while relocating; 0 when never attached). */
    public static final String EPOCH = STATE_PREFIX + "epoch";
    /** The attached node (Attached), or the source being fenced (Fencing, Detaching). */
    public static final String NODE = STATE_PREFIX + "node";
    /** The chosen target (Attaching, Starting). */
    public static final String TARGET = STATE_PREFIX + "target";
    /** Wall time of the transition, ISO-8601; informational only, never used for safety. */
    public static final String PHASE_SINCE = STATE_PREFIX + "phase-since";
    /** CamelCase reason of the last transition. */
    public static final String REASON = STATE_PREFIX + "reason";
    /** {@link FenceEvidence} that ended the last Fencing. */
    public static final String EVIDENCE = STATE_PREFIX + "evidence";
    /** Attempts made in the current phase (retry/back-off counter). */
    public static final String ATTEMPT = STATE_PREFIX + "attempt";
    /** For Failed: the phase to resume when the retry fires. */
    public static final String FAILED_FROM = STATE_PREFIX + "failed-from";
    /**
     * Wall time (ISO-8601) of the CAS that stopped the writer (entered Fencing) for the relocation in
     * flight; carried until the Attached CAS, which reports the downtime from it. Informational only.
     */
    public static final String RELOCATION_STARTED = STATE_PREFIX + "relocation-started";
    /** CamelCase trigger of the relocation in flight ({@code LeaseExpired}, {@code PlannedMove}, ...). */
    public static final String RELOCATION_TRIGGER = STATE_PREFIX + "relocation-trigger";
    /** The node whose writer the relocation in flight stopped. */
    public static final String RELOCATION_FROM = STATE_PREFIX + "relocation-from";
    /**
     * The controller's own revision of this state, written by every controller CAS as
     * {@code max(previous revision, version read) + 1}. Grants, commands and agent reports are keyed
     * to it, not to Swarm's {@code Version.Index}, which Swarm's updater moves by itself (UpdateStatus,
     * task reconciliation) after every update. Strictly increasing across controller failover (it lives
     * here and is re-read), and across a re-adoption that removed the labels (it restarts above the
     * service's version, which is above every revision written before).
     */
    public static final String REVISION = STATE_PREFIX + "revision";

    /** Swarm placement constraint that pins the workload to one node. */
    public static final String PIN_PREFIX = "node.id==";

    public static String pin(String nodeId) {
        return PIN_PREFIX + nodeId;
    }

    public static boolean isPin(String constraint) {
        return constraint.replace(" ", "").startsWith(PIN_PREFIX);
    }

    private Labels() {
    }
}
