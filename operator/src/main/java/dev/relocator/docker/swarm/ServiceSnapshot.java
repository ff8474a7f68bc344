package dev.relocator.docker.swarm;

import com.github.dockerjava.api.model.ServiceSpec;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A service as read at one {@link #version()}: the version is what a compare-and-swap
 * update is made against.
 *
 * @param replicas     desired replicas for replicated services, empty for global ones
 * @param constraints  placement constraints, the pin {@code node.id==...} included
 * @param volumeMounts names of the named volumes the task template mounts
 * @param spec         the spec as read, for building the next version; do not share across threads
 */
public record ServiceSnapshot(String id, String name, long version, Map<String, String> labels,
                              Optional<Long> replicas, List<String> constraints, List<String> volumeMounts,
                              ServiceSpec spec) {

    public ServiceSnapshot {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
        volumeMounts = volumeMounts == null ? List.of() : List.copyOf(volumeMounts);
    }

    /** The node the service is pinned to, if any. */
    public Optional<String> pinnedNode() {
        return Placement.pinnedNode(constraints);
    }
}
