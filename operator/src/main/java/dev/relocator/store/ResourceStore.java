package dev.relocator.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where RelocatableVolumes and the RelocatorConfig live, with the API server's semantics:
 *
 * <ul>
 *   <li>{@code metadata.generation} starts at 1 and grows when {@code spec} changes, nothing else;</li>
 *   <li>{@code metadata.resourceVersion} changes on every write, status included; a write that names a
 *       resourceVersion other than the current one fails with 409 Conflict;</li>
 *   <li>status is written only through {@link #updateStatus}; a condition's {@code lastTransitionTime}
 *       moves only when its {@code status} flips;</li>
 *   <li>a delete while a relocation is in flight (phase Fencing, Detaching, Attaching, Starting) only
 *       marks the object ({@code deletionTimestamp} and the finalizer {@link #RELOCATION_FINALIZER});
 *       the object goes once its phase is Attached, Pending or Failed.</li>
 * </ul>
 *
 * Objects go in and come out as JSON trees that the caller has already validated against the CRD;
 * the store owns {@code metadata.generation/resourceVersion/uid/creationTimestamp/deletionTimestamp}
 * and ignores what callers put there. Every refusal is a {@link StoreException} carrying the
 * Kubernetes {@code Status} to answer with.
 */
public interface ResourceStore extends AutoCloseable {

    /** Added while a delete waits for an in-flight relocation to settle. */
    String RELOCATION_FINALIZER = "relocator.dev/relocation-in-flight";

    /** Set on objects that come from a service's {@code relocator.dev/*} labels (stack-file shorthand). */
    String SOURCE_ANNOTATION = "relocator.dev/source";

    /**
     * Set on an object from a service's labels that cannot be applied (a bad label, no mount of the
     * volume): every error, {@code field: problem: fix}, separated by {@code "; "}. The controller does
     * not act on such an object; its status says {@code Degraded}, reason {@code InvalidSpec}.
     */
    String LABEL_ERRORS_ANNOTATION = "relocator.dev/label-errors";

    /** Set on a stored object whose name a labelled service also declares: the stored object wins. */
    String CONFLICT_ANNOTATION = "relocator.dev/conflict";

    /**
     * Refuses (409 Conflict, naming the service) any change to {@code current} when it is declared by a
     * service's labels: checked before validating a change, so that an object whose labels are invalid
     * answers "change the labels", not the validation errors of a change that could never be stored.
     */
    static void refuseLabelDeclared(ResourceKind kind, com.fasterxml.jackson.databind.JsonNode current) {
        com.fasterxml.jackson.databind.JsonNode src = current.path("metadata").path("annotations").get(SOURCE_ANNOTATION);
        if (src != null) {
            throw VersionedResourceStore.readOnly(kind, current.path("metadata").path("name").asText(),
                    src.asText().replaceFirst("^service/", ""));
        }
    }

    ListResult list(ResourceKind kind);

    Optional<ObjectNode> get(ResourceKind kind, String name);

    /** Creates; 409 AlreadyExists if the name is taken (stored, or declared by a labelled service). */
    ObjectNode create(ResourceKind kind, ObjectNode object);

    /**
     * Replaces metadata labels/annotations and spec. {@code expectedResourceVersion} null means
     * unconditional (last write wins); otherwise it must be the current one.
     */
    ObjectNode update(ResourceKind kind, String name, ObjectNode object, String expectedResourceVersion);

    /** Replaces the status (the controller's write); may complete a pending delete. */
    ObjectNode updateStatus(ResourceKind kind, String name, ObjectNode status, String expectedResourceVersion);

    /** Removes the object, or marks it for removal while a relocation is in flight. */
    DeleteResult delete(ResourceKind kind, String name, String expectedResourceVersion);

    /**
     * Streams changes after {@code fromResourceVersion} (null: the current objects as ADDED first)
     * to {@code sink}, until the returned handle is closed. A resume replays the latest state of
     * every object changed since then (intermediate states of one object may be coalesced).
     */
    AutoCloseable watch(ResourceKind kind, String fromResourceVersion, Consumer<WatchEvent> sink);

    /** The outcome of a delete: {@code removed} false means marked and waiting for the relocation to end. */
    record DeleteResult(ObjectNode object, boolean removed) {
    }

    @Override
    void close();
}
