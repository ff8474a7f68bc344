package dev.relocator.core.model;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The per-volume relocation state as stored in the labels of the workload service.
 *
 * <p>Meaning of {@code node} and {@code epoch} per phase:
 * <ul>
 *   <li>Pending: node null, epoch 0;</li>
 *   <li>Attached: the attached node and its epoch;</li>
 *   <li>Fencing, Detaching, Failed: the source being fenced and the epoch being retired
 *       (node null and epoch 0 if the volume was never attached);</li>
 *   <li>Attaching: as Fencing, plus the chosen {@code target};</li>
 *   <li>Starting: node = target = the new node, epoch = the new epoch (e+1): the Starting
 *       CAS is what creates the attachment.</li>
 * </ul>
 * In Fencing and Detaching {@code target} is the node a planned move asked for (null otherwise), so
 * Detaching picks it.
 * The replica count and pin follow from the phase ({@link #replicas()}, {@link #pinnedNode()}),
 * so the three are always written together in one CAS.
 *
 * <p>{@code relocation} is the relocation in flight: written by the CAS that enters Fencing from a
 * running attachment and carried through Detaching, Attaching, Starting and Failed until the Attached
 * CAS, which reports its downtime and drops it. It lives in the labels so a controller failover
 * does not lose when the writer was stopped.
 */
public record VolumeState(Phase phase, long epoch, String node, String target, Instant phaseSince,
                          String reason, FenceEvidence evidence, int attempt, Phase failedFrom,
                          Relocation relocation) {

    /**
     * A relocation in flight.
     *
     * @param trigger CamelCase reason it started ({@code LeaseExpired}, {@code PlannedMove}, ...)
     * @param from    the node whose writer was stopped
     * @param started wall time of the Fencing CAS (informational: the reported downtime is wall-clock)
     */
    public record Relocation(String trigger, String from, Instant started) {
        public Relocation {
            Objects.requireNonNull(trigger, "trigger");
            Objects.requireNonNull(started, "started");
        }

        /** True for the triggers a user asked for: the source is alive and cooperating. */
        public boolean planned() {
            return PLANNED_MOVE.equals(trigger) || NODE_DRAIN.equals(trigger);
        }
    }

    /** Trigger of a move to a requested node ({@link MoveRequest#to()}). */
    public static final String PLANNED_MOVE = "PlannedMove";
    /** Trigger of a move off a node the user drains ({@link MoveRequest#from()}). */
    public static final String NODE_DRAIN = "NodeDrain";

    /** A state without a relocation in flight. */
    public VolumeState(Phase phase, long epoch, String node, String target, Instant phaseSince,
                       String reason, FenceEvidence evidence, int attempt, Phase failedFrom) {
        this(phase, epoch, node, target, phaseSince, reason, evidence, attempt, failedFrom, null);
    }

    public VolumeState {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(phaseSince, "phaseSince");
        reason = reason == null ? "" : reason;
        evidence = evidence == null ? FenceEvidence.NONE : evidence;
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        if ((phase == Phase.ATTACHED || phase == Phase.STARTING) && (node == null || epoch < 1)) {
            throw new IllegalArgumentException(phase.label() + " needs a node and an epoch >= 1");
        }
        if ((phase == Phase.ATTACHING || phase == Phase.STARTING) && target == null) {
            throw new IllegalArgumentException(phase.label() + " needs a target");
        }
        if (phase == Phase.FAILED && failedFrom == null) {
            throw new IllegalArgumentException("Failed needs the phase it failed from");
        }
    }

    public static VolumeState pending(Instant now) {
        return new VolumeState(Phase.PENDING, 0, null, null, now, "Created", FenceEvidence.NONE, 0, null);
    }

    /** Replicas the service must have in this phase: the workload runs only when Starting or Attached. */
    public int replicas() {
        return phase == Phase.ATTACHED || phase == Phase.STARTING ? 1 : 0;
    }

    /** The node the pin constraint names, or null when nothing is pinned (Pending). */
    public String pinnedNode() {
        return switch (phase) {
            case PENDING -> null;
            case ATTACHING -> node != null ? node : target;
            case FAILED -> node != null ? node : target;
            default -> node;
        };
    }

    /** The attachment this state grants a writer, if any (only Starting and Attached grant). */
    public Attachment grantedAttachment(String volume) {
        return replicas() == 1 ? new Attachment(volume, node, epoch) : null;
    }

    public VolumeState to(Phase next, Instant now, String why) {
        return new VolumeState(next, epoch, node, target, now, why, evidence, 0, null, relocation);
    }

    public VolumeState withTarget(String t) {
        return new VolumeState(phase, epoch, node, t, phaseSince, reason, evidence, attempt, failedFrom, relocation);
    }

    public VolumeState withEvidence(FenceEvidence e) {
        return new VolumeState(phase, epoch, node, target, phaseSince, reason, e, attempt, failedFrom, relocation);
    }

    public VolumeState withAttempt(int a) {
        return new VolumeState(phase, epoch, node, target, phaseSince, reason, evidence, a, failedFrom, relocation);
    }

    public VolumeState withRelocation(Relocation r) {
        return new VolumeState(phase, epoch, node, target, phaseSince, reason, evidence, attempt, failedFrom, r);
    }

    public VolumeState failed(Instant now, String why) {
        return new VolumeState(Phase.FAILED, epoch, node, target, now, why, evidence, attempt, phase, relocation);
    }

    public Map<String, String> toLabels() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Labels.PHASE, phase.label());
        m.put(Labels.EPOCH, Long.toString(epoch));
        m.put(Labels.NODE, node == null ? "" : node);
        m.put(Labels.TARGET, target == null ? "" : target);
        m.put(Labels.PHASE_SINCE, phaseSince.toString());
        m.put(Labels.REASON, reason);
        m.put(Labels.EVIDENCE, evidence.name());
        m.put(Labels.ATTEMPT, Integer.toString(attempt));
        m.put(Labels.FAILED_FROM, failedFrom == null ? "" : failedFrom.label());
        m.put(Labels.RELOCATION_TRIGGER, relocation == null ? "" : relocation.trigger());
        m.put(Labels.RELOCATION_FROM, relocation == null || relocation.from() == null ? "" : relocation.from());
        m.put(Labels.RELOCATION_STARTED, relocation == null ? "" : relocation.started().toString());
        return m;
    }

    /**
     * Reads the state from service labels. A service without {@link Labels#PHASE} is Pending.
     *
     * @throws IllegalArgumentException naming the bad label and the fix, if a label is malformed
     */
    public static VolumeState fromLabels(Map<String, String> labels, Instant now) {
        String phase = labels.get(Labels.PHASE);
        if (phase == null || phase.isEmpty()) {
            return pending(now);
        }
        try {
            String since = labels.getOrDefault(Labels.PHASE_SINCE, "");
            String from = labels.getOrDefault(Labels.FAILED_FROM, "");
            String trigger = labels.getOrDefault(Labels.RELOCATION_TRIGGER, "");
            String started = labels.getOrDefault(Labels.RELOCATION_STARTED, "");
            Relocation reloc = trigger.isEmpty() || started.isEmpty() ? null
                    : new Relocation(trigger, emptyToNull(labels.get(Labels.RELOCATION_FROM)), Instant.parse(started));
            return new VolumeState(Phase.fromLabel(phase),
                    Long.parseLong(labels.getOrDefault(Labels.EPOCH, "0")),
                    emptyToNull(labels.get(Labels.NODE)),
                    emptyToNull(labels.get(Labels.TARGET)),
                    since.isEmpty() ? now : Instant.parse(since),
                    labels.get(Labels.REASON),
                    FenceEvidence.fromLabel(labels.get(Labels.EVIDENCE)),
                    Integer.parseInt(labels.getOrDefault(Labels.ATTEMPT, "0")),
                    from.isEmpty() ? null : Phase.fromLabel(from), reloc);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed relocation labels " + labels + ": " + e.getMessage()
                    + " (the " + Labels.STATE_PREFIX + "* labels are written by the controller only; restore them"
                    + " from the last Kafka snapshot or remove them all to re-adopt)", e);
        }
    }

    /**
     * The controller-owned {@link Labels#REVISION} of the state in these labels; 0 when absent
     * (a service never written by a controller).
     *
     * @throws IllegalArgumentException naming the label and the fix, if it is not a non-negative number
     */
    public static long revisionOf(Map<String, String> labels) {
        String r = labels.getOrDefault(Labels.REVISION, "");
        if (r.isEmpty()) {
            return 0;
        }
        long v;
        try {
            v = Long.parseLong(r);
        } catch (NumberFormatException e) {
            v = -1;
        }
        if (v < 0) {
            throw new IllegalArgumentException("malformed relocation label " + Labels.REVISION + "=" + r
                    + ": must be a non-negative number (the " + Labels.STATE_PREFIX + "* labels are written by the"
                    + " controller only; restore them from the last Kafka snapshot or remove them all to re-adopt)");
        }
        return v;
    }

    /**
     * The revision the next controller CAS writes: above the current one, and above the version the
     * state was read at, so that it also stays above every revision written before the labels were
     * removed (Swarm's version only grows, and every earlier revision was at most the version its
     * own write produced).
     */
    public static long nextRevision(long currentRevision, long readVersion) {
        return Math.max(currentRevision, readVersion) + 1;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
