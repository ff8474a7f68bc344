package dev.relocator.docker.swarm;

import com.github.dockerjava.api.model.ServicePlacement;
import com.github.dockerjava.api.model.ServiceSpec;
import com.github.dockerjava.api.model.TaskSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pin: a relocatable workload always carries exactly one {@code node.id==<node>}
 * constraint, so Swarm can never start it elsewhere on its own; only the controller moves it.
 */
public final class Placement {

    private static final Pattern PIN = Pattern.compile("^\\s*node\\.id\\s*==\\s*(\\S+)\\s*$");
    /** Swarm node ids are 25 lowercase alphanumerics; accept any id-like token, reject whitespace and operators. */
    private static final Pattern NODE_ID = Pattern.compile("^[a-zA-Z0-9]+$");

    private Placement() {
    }

    public static String pinConstraint(String nodeId) {
        if (nodeId == null || !NODE_ID.matcher(nodeId).matches()) {
            throw new IllegalArgumentException("'" + nodeId + "' is not a Swarm node id (letters and digits only, as shown by 'docker node ls -q')");
        }
        return "node.id==" + nodeId;
    }

    public static boolean isPin(String constraint) {
        return constraint != null && PIN.matcher(constraint).matches();
    }

    /**
     * The pinned node, or empty when there is none. Two different pins cannot come from
     * Relocator; they are reported rather than guessed at.
     */
    public static Optional<String> pinnedNode(List<String> constraints) {
        String found = null;
        for (String c : constraints) {
            Matcher m = c == null ? null : PIN.matcher(c);
            if (m != null && m.matches()) {
                if (found != null && !found.equals(m.group(1))) {
                    throw new IllegalStateException("service carries two different node pins: node.id==" + found + " and " + c
                            + "; remove the one Relocator did not set");
                }
                found = m.group(1);
            }
        }
        return Optional.ofNullable(found);
    }

    /** The constraints with every pin replaced by one pin to {@code nodeId}; other constraints kept in order. */
    public static List<String> withPin(List<String> constraints, String nodeId) {
        String pin = pinConstraint(nodeId);
        List<String> out = new ArrayList<>();
        for (String c : constraints == null ? List.<String>of() : constraints) {
            if (!isPin(c)) {
                out.add(c);
            }
        }
        out.add(pin);
        return out;
    }

    /** Sets the pin on a spec in place, creating the task template's placement if absent. */
    public static ServiceSpec pin(ServiceSpec spec, String nodeId) {
        TaskSpec template = spec.getTaskTemplate();
        if (template == null) {
            throw new IllegalArgumentException("service spec " + spec.getName() + " has no task template to pin");
        }
        ServicePlacement placement = template.getPlacement();
        if (placement == null) {
            placement = new ServicePlacement();
            template.withPlacement(placement);
        }
        placement.withConstraints(withPin(constraints(spec), nodeId));
        return spec;
    }

    static List<String> constraints(ServiceSpec spec) {
        TaskSpec template = spec.getTaskTemplate();
        if (template == null || template.getPlacement() == null || template.getPlacement().getConstraints() == null) {
            return List.of();
        }
        return template.getPlacement().getConstraints();
    }
}
