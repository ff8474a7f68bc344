package dev.relocator.store;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.core.model.Labels;

import java.util.Map;
import java.util.Set;

/**
 * For a volume declared by service labels, the controller keeps its state in further labels of
 * the same service ({@link Labels}). Those are not the user's spec, and they are the status.
 */
final class ControllerLabels {

    /**
     * The controller's state labels. {@link Labels#TARGET} is missing on purpose: the shorthand
     * uses the same key for the mount path (see docs/api.md, known gaps).
     */
    static final Set<String> STATE = Set.of(Labels.PHASE, Labels.EPOCH, Labels.NODE, Labels.PHASE_SINCE, Labels.REASON,
            Labels.EVIDENCE, Labels.ATTEMPT, Labels.FAILED_FROM);

    private ControllerLabels() {
    }

    /** The status the labels describe, or null when the controller has not written any yet. */
    static ObjectNode status(Map<String, String> labels) {
        String phase = labels.get(Labels.PHASE);
        if (phase == null || phase.isBlank()) {
            return null;
        }
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("phase", phase);
        String node = labels.get(Labels.NODE);
        if (node != null && !node.isBlank()) {
            s.put("node", node);
        }
        try {
            s.put("epoch", Long.parseLong(labels.getOrDefault(Labels.EPOCH, "")));
        } catch (NumberFormatException e) {
            // no epoch yet
        }
        s.put("observedGeneration", 1);
        String since = labels.get(Labels.PHASE_SINCE);
        if (since != null && !since.isBlank()) {
            ObjectNode ready = s.putArray("conditions").addObject();
            ready.put("type", "Ready");
            ready.put("status", "Attached".equals(phase) ? "True" : "False");
            ready.put("reason", labels.getOrDefault(Labels.REASON, phase));
            ready.put("lastTransitionTime", since);
        }
        return s;
    }
}
