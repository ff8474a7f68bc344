package dev.relocator.crd.model;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Standard object metadata (the part of Kubernetes' ObjectMeta a cluster-scoped resource uses).
 * {@code resourceVersion} is opaque to clients; see {@link dev.relocator.crd.api.ResourceVersion}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ObjectMeta(String name, Long generation, String resourceVersion, String uid,
                         Map<String, String> labels, Map<String, String> annotations,
                         Instant creationTimestamp, Instant deletionTimestamp, List<String> finalizers) {

    public ObjectMeta {
        labels = Collections2.sortedMap(labels);
        annotations = Collections2.sortedMap(annotations);
        finalizers = Collections2.list(finalizers);
    }

    public static ObjectMeta named(String name) {
        return new ObjectMeta(name, null, null, null, Map.of(), Map.of(), null, null, List.of());
    }

    public Optional<String> annotation(String key) {
        return Optional.ofNullable(annotations.get(key));
    }

    public boolean deleting() {
        return deletionTimestamp != null;
    }

    public ObjectMeta withGeneration(long g) {
        return new ObjectMeta(name, g, resourceVersion, uid, labels, annotations, creationTimestamp, deletionTimestamp, finalizers);
    }

    public ObjectMeta withResourceVersion(String rv) {
        return new ObjectMeta(name, generation, rv, uid, labels, annotations, creationTimestamp, deletionTimestamp, finalizers);
    }
}
