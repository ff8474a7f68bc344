package dev.relocator.core.model;

import java.util.List;
import java.util.Map;

/**
 * The only kind of write the controller makes to Swarm: labels, constraints and replicas
 * together, applied atomically against an expected service version.
 *
 * @param labels      the complete set of {@link Labels relocation labels} (other labels are kept)
 * @param constraints the complete constraint list (user placement plus the pin)
 * @param replicas    desired replicas, 0 or 1
 */
public record ServiceUpdate(Map<String, String> labels, List<String> constraints, int replicas) {
    public ServiceUpdate {
        labels = Map.copyOf(labels);
        constraints = List.copyOf(constraints);
        if (replicas < 0 || replicas > 1) {
            throw new IllegalArgumentException("a relocatable workload has 0 or 1 replicas, got " + replicas);
        }
    }
}
