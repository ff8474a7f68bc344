package dev.relocator.core.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The workload service as read from Swarm.
 *
 * @param id          service id
 * @param name        service name
 * @param version     Swarm's {@code Version.Index}; the CAS token of every update, never evidence (Swarm
 *                    moves it by itself; see {@link Labels#REVISION})
 * @param labels      service labels, including the {@link Labels relocation state}
 * @param constraints placement constraints, including the pin
 * @param replicas    desired replicas
 * @param tasks       current and recent tasks (Swarm keeps a short history per slot)
 */
public record ServiceView(String id, String name, long version, Map<String, String> labels,
                          List<String> constraints, int replicas, List<TaskView> tasks) {
    public ServiceView {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
    }
}
