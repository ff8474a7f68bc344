package dev.relocator.app.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.core.model.Phase;
import dev.relocator.core.model.VolumeState;
import dev.relocator.core.model.VolumeStatus;

/**
 * The resource's {@code status} from what the controller knows ({@link VolumeStatus}). Conditions
 * carry no {@code lastTransitionTime}: the store stamps it when a condition's status flips and
 * keeps the old one otherwise, so times move only on a flip (see {@code ResourceStore}).
 *
 * <ul>
 *   <li>{@code Ready}: True only when Attached and nothing is waiting; the reason is the phase or why it waits.</li>
 *   <li>{@code Relocating}: True in Fencing, Detaching, Attaching, Starting; False with reason
 *       {@code Paused} while {@code spec.paused} holds it, {@code MaintenanceMode} while the cluster's
 *       maintenance does, else {@code Settled}; a hold's message names what it holds back, if anything.</li>
 *   <li>{@code Degraded}: True when the controller waits on a problem (a CamelCase reason such as
 *       {@code TargetUnavailable}, {@code NoEligibleNode}, {@code ServiceMissing}), when the phase is
 *       Failed, or when the spec cannot be applied ({@code InvalidSpec}); else {@code AsExpected}.</li>
 * </ul>
 */
public final class StatusBuilder {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Waiting reasons that are a choice of the user, not a problem: the controller's hold reasons. */
    private static final java.util.Set<String> NOT_DEGRADED = java.util.Set.of("Paused", "MaintenanceMode");
    /** How the controller's hold detail names the move it holds back ("...; held: LeaseExpired of node n1"). */
    private static final String HELD = "; held: ";

    private StatusBuilder() {
    }

    /**
     * @param observedGeneration the generation of the spec the controller runs with
     * @param paused             the spec the controller runs with is paused
     */
    public static ObjectNode of(VolumeStatus s, long observedGeneration, boolean paused) {
        VolumeState st = s.state();
        ObjectNode out = F.objectNode();
        out.put("phase", st.phase().label());
        if (st.node() != null) {
            out.put("node", st.node());
        }
        if (st.epoch() > 0) {
            out.put("epoch", st.epoch());
        }
        out.put("observedGeneration", observedGeneration);
        String waiting = s.waitingReason();
        String detail = s.waitingDetail();
        boolean relocating = st.phase().relocating() || st.phase() == Phase.STARTING;
        boolean degraded = st.phase() == Phase.FAILED || (waiting != null && !NOT_DEGRADED.contains(waiting));
        ArrayNode conditions = out.putArray("conditions");
        boolean ready = st.phase() == Phase.ATTACHED && (waiting == null || NOT_DEGRADED.contains(waiting));
        condition(conditions, "Ready", ready, ready ? "Attached" : waiting != null && !NOT_DEGRADED.contains(waiting) ? waiting
                : st.phase().label(), ready ? "attached to " + st.node() + " at epoch " + st.epoch() : detail);
        boolean maintenance = !paused && "MaintenanceMode".equals(waiting);
        String relocReason = relocating ? st.phase().label() : paused ? "Paused" : maintenance ? "MaintenanceMode" : "Settled";
        // a hold with something to act on (a lost node, a requested move) says so: that is what resuming releases
        String held = detail != null && detail.contains(HELD) && (paused || maintenance) ? detail.substring(detail.indexOf(HELD)) : "";
        String relocMessage = relocating ? phaseMessage(st) : paused
                ? "spec.paused is true: no relocation is started (one in flight finishes); set it to false to resume" + held
                : maintenance ? (detail != null ? detail : "the cluster is in maintenance mode: no relocation starts; end maintenance to resume")
                : null;
        condition(conditions, "Relocating", relocating, relocReason, relocMessage);
        String degReason = !degraded ? "AsExpected" : st.phase() == Phase.FAILED && (waiting == null || NOT_DEGRADED.contains(waiting))
                ? (st.reason().isEmpty() ? "Failed" : st.reason()) : waiting;
        String degMessage = !degraded ? null : detail != null ? detail
                : "phase Failed after " + st.reason() + " in " + (st.failedFrom() == null ? "?" : st.failedFrom().label())
                + "; the controller retries after its back-off";
        condition(conditions, "Degraded", degraded, degReason, degMessage);
        VolumeStatus.LastRelocation lr = s.lastRelocation();
        if (lr != null) {
            ObjectNode l = out.putObject("lastRelocation");
            putIf(l, "from", lr.from());
            putIf(l, "to", lr.to());
            if (lr.started() != null) {
                l.put("started", lr.started().toString());
            }
            if (lr.finished() != null) {
                l.put("finished", lr.finished().toString());
            }
            if (lr.downtime() != null) {
                l.put("downtimeSeconds", lr.downtime().toMillis() / 1000.0);
            }
        }
        return out;
    }

    /**
     * The status of a resource the controller cannot apply: its last reported phase, node and epoch
     * stay (the controller keeps acting on the last valid spec, if it had one), {@code observedGeneration}
     * stays at the generation it runs with, and {@code Degraded} says why with reason {@code InvalidSpec}.
     */
    public static ObjectNode invalid(JsonNode previous, SpecMapper.Invalid why, Long runningGeneration) {
        ObjectNode out = F.objectNode();
        for (String f : new String[]{"phase", "node", "epoch", "lastRelocation"}) {
            if (previous.has(f)) {
                out.set(f, previous.get(f).deepCopy());
            }
        }
        if (runningGeneration != null) {
            out.put("observedGeneration", runningGeneration);
        } else if (previous.has("observedGeneration")) {
            out.set("observedGeneration", previous.get("observedGeneration").deepCopy());
        }
        ArrayNode conditions = out.putArray("conditions");
        String message = why + (runningGeneration != null
                ? " (the controller keeps running generation " + runningGeneration + " until this is fixed)" : "");
        boolean wasReady = false;
        for (JsonNode c : previous.path("conditions")) {
            if ("Ready".equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
                wasReady = true;
            }
        }
        condition(conditions, "Ready", wasReady && runningGeneration != null, wasReady && runningGeneration != null
                ? "Attached" : "InvalidSpec", message);
        condition(conditions, "Relocating", false, "InvalidSpec", message);
        condition(conditions, "Degraded", true, "InvalidSpec", message);
        return out;
    }

    /** True when the two statuses differ in anything but the conditions' transition times. */
    public static boolean differs(JsonNode current, ObjectNode desired) {
        return !strip(current).equals(strip(desired));
    }

    private static JsonNode strip(JsonNode status) {
        if (status == null || !status.isObject()) {
            return F.objectNode();
        }
        ObjectNode copy = ((ObjectNode) status).deepCopy();
        JsonNode cs = copy.get("conditions");
        if (cs != null && cs.isArray()) {
            cs.forEach(c -> ((ObjectNode) c).remove("lastTransitionTime"));
        }
        return copy;
    }

    private static String phaseMessage(VolumeState st) {
        return switch (st.phase()) {
            case FENCING -> "making sure the writer on " + st.node() + " (epoch " + st.epoch() + ") is dead";
            case DETACHING -> "removing the volume reference on " + st.node() + " (evidence " + st.evidence() + ")";
            case ATTACHING -> "preparing the volume on " + st.target();
            case STARTING -> "starting the workload on " + st.node() + " at epoch " + st.epoch();
            default -> st.phase().label();
        };
    }

    private static void condition(ArrayNode conditions, String type, boolean status, String reason, String message) {
        ObjectNode c = conditions.addObject();
        c.put("type", type);
        c.put("status", status ? "True" : "False");
        c.put("reason", reason == null || reason.isEmpty() ? type : reason);
        if (message != null) {
            c.put("message", message);
        }
    }

    private static void putIf(ObjectNode o, String k, String v) {
        if (v != null) {
            o.put(k, v);
        }
    }
}
