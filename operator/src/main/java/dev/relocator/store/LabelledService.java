package dev.relocator.store;

import java.util.Map;

/** A Swarm service that carries {@code relocator.dev/*} labels; {@code version} is its Swarm version index. */
public record LabelledService(String name, long version, Map<String, String> labels) {
    public LabelledService {
        labels = Map.copyOf(labels);
    }
}
