package dev.relocator.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.core.model.Labels;

import java.util.Map;
import java.util.Set;

/**
 * The status of a volume declared by service labels. It has no stored object to write a status
 * to; the controller keeps its state in the same service's {@code status.relocator.dev/*} labels
 * ({@link Labels}), written in the compare-and-swap of every transition, so that state is the
 * status: read from Swarm at every GET, never behind what the controller did, and it survives a
 * controller failover with the state itself (docs/design-notes.md, "Status of label-declared
 * volumes"). The conditions follow the same rules as a stored resource's ({@code StatusBuilder}),
 * as far as the labels carry them: a waiting reason that the controller does not write to the
 * labels (e.g. {@code TargetUnavailable}) is not shown.
 */
final class ControllerLabels {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Set<String> IN_FLIGHT = VersionedResourceStore.IN_FLIGHT;

    private ControllerLabels() {
    }

    /**
     * The status the labels describe, or null when the controller has not written any yet and the
     * volume is not paused. A paused volume without state is {@code Pending} (paused holds even the
     * first placement), with {@code Relocating=False, reason Paused}: the user sees why nothing happens.
     *
     * @param paused the labelled spec's {@code spec.paused}: {@code Relocating=False, reason Paused}
     */
    static ObjectNode status(Map<String, String> labels, boolean paused) {
        String phase = text(labels, Labels.PHASE);
        if (phase == null && !paused) {
            return null;
        }
        phase = phase == null ? "Pending" : phase;
        ObjectNode s = base(labels, phase);
        String since = text(labels, Labels.PHASE_SINCE);
        String reason = text(labels, Labels.REASON);
        String node = text(labels, Labels.NODE);
        ArrayNode conditions = s.putArray("conditions");
        boolean attached = "Attached".equals(phase);
        condition(conditions, "Ready", attached, attached ? "Attached" : phase,
                attached ? "attached to " + node + " at epoch " + s.path("epoch").asLong(0) : null, since);
        boolean relocating = IN_FLIGHT.contains(phase);
        condition(conditions, "Relocating", relocating, relocating ? phase : paused ? "Paused" : "Settled",
                relocating ? phase + (text(labels, Labels.TARGET) != null ? " towards " + text(labels, Labels.TARGET) : "")
                        : paused ? "relocator.dev/paused is true: no relocation is started (one in flight finishes); "
                        + "remove the label or set it to false to resume" : null, since);
        boolean failed = "Failed".equals(phase);
        condition(conditions, "Degraded", failed, failed ? (reason == null ? "Failed" : reason) : "AsExpected",
                failed ? "phase Failed after " + reason + " in " + text(labels, Labels.FAILED_FROM)
                        + "; the controller retries after its back-off" : null, since);
        return s;
    }

    /**
     * The status of a labelled service that cannot be applied: the controller's last state (if any)
     * and {@code Degraded=True, reason InvalidSpec} with every error.
     */
    static ObjectNode invalid(Map<String, String> labels, String errors) {
        String phase = text(labels, Labels.PHASE);
        ObjectNode s = phase == null ? F.objectNode() : base(labels, phase);
        if (phase == null) {
            s.put("observedGeneration", 1);
        }
        String message = errors + " (the controller does not apply these labels; fix them with docker service update "
                + "--label-add/--label-rm or in the stack file)";
        ArrayNode conditions = s.putArray("conditions");
        boolean attached = "Attached".equals(phase);
        String since = text(labels, Labels.PHASE_SINCE);
        condition(conditions, "Ready", attached, attached ? "Attached" : "InvalidSpec", message, since);
        condition(conditions, "Relocating", false, "InvalidSpec", message, since);
        condition(conditions, "Degraded", true, "InvalidSpec", message, since);
        return s;
    }

    private static ObjectNode base(Map<String, String> labels, String phase) {
        ObjectNode s = F.objectNode();
        s.put("phase", phase);
        String node = text(labels, Labels.NODE);
        if (node != null) {
            s.put("node", node);
        }
        try {
            long epoch = Long.parseLong(labels.getOrDefault(Labels.EPOCH, ""));
            if (epoch > 0) {
                s.put("epoch", epoch);
            }
        } catch (NumberFormatException e) {
            // no epoch yet
        }
        s.put("observedGeneration", 1); // a labelled spec has one generation: the service's labels as they are
        return s;
    }

    /**
     * {@code lastTransitionTime}: the time of the controller's last phase change. The labels keep
     * no time per condition, and every flip of Ready, Relocating or Degraded is a phase change.
     */
    private static void condition(ArrayNode conditions, String type, boolean status, String reason, String message, String since) {
        ObjectNode c = conditions.addObject();
        c.put("type", type);
        c.put("status", status ? "True" : "False");
        c.put("reason", reason);
        if (message != null) {
            c.put("message", message);
        }
        if (since != null) {
            c.put("lastTransitionTime", since);
        }
    }

    private static String text(Map<String, String> labels, String key) {
        String v = labels.get(key);
        return v == null || v.isBlank() ? null : v;
    }
}
