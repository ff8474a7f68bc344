package dev.relocator.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.crd.api.ResourceVersion;
import dev.relocator.crd.api.Status;
import dev.relocator.crd.api.StatusReason;
import dev.relocator.crd.labels.LabelShorthand;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.validation.FieldError;
import dev.relocator.crd.validation.ResourceValidator;
import dev.relocator.crd.validation.ValidationOptions;
import dev.relocator.store.StoreBackend.ConcurrentWriteException;
import dev.relocator.store.StoreBackend.Record;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The API server's object semantics (see {@link ResourceStore}) over any {@link StoreBackend}.
 * The in-memory and the Swarm-config store differ only in their backend, so the unit tests of
 * these rules on the in-memory backend cover the Swarm store too.
 */
public final class VersionedResourceStore implements ResourceStore {

    private static final Logger LOG = Logger.getLogger(VersionedResourceStore.class);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Phases in which a relocation is in flight: a delete must wait for them to end. */
    static final Set<String> IN_FLIGHT = Set.of("Fencing", "Detaching", "Attaching", "Starting");

    private final StoreBackend backend;
    private final ServiceSource services;
    private final LabelShorthand shorthand;
    private final Clock clock;
    private final Map<ResourceKind, WatchHub> hubs = new EnumMap<>(ResourceKind.class);
    private final Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param resync how often watches re-read the backend while someone watches: the poll, or with
     *               {@link #configsChanged()}/{@link #servicesChanged()} driven by Docker events, the
     *               repair of a lost event
     */
    public VersionedResourceStore(StoreBackend backend, ServiceSource services, ValidationOptions options, Clock clock,
                                  Duration resync) {
        this.backend = backend;
        this.services = services;
        this.shorthand = new LabelShorthand(options);
        this.clock = clock;
        for (ResourceKind k : ResourceKind.values()) {
            hubs.put(k, new WatchHub(k, () -> snapshot(k), resync));
        }
    }

    /** An in-memory store for unit tests: same semantics, nothing survives the JVM. */
    public static VersionedResourceStore inMemory(Clock clock) {
        return new VersionedResourceStore(new InMemoryBackend(), ServiceSource.none(), ValidationOptions.defaults(), clock,
                Duration.ofMillis(50));
    }

    public StoreBackend backend() {
        return backend;
    }

    // ---- reads -------------------------------------------------------------------------------

    @Override
    public ListResult list(ResourceKind kind) {
        Snapshot s = snapshot(kind);
        return new ListResult(s.objects().values().stream().map(Versioned::object).toList(),
                ResourceVersion.of(s.maxVersion()));
    }

    @Override
    public Optional<ObjectNode> get(ResourceKind kind, String name) {
        Optional<Record> head = backend.head(kind, name).filter(r -> !r.tombstone());
        if (head.isPresent()) {
            ObjectNode o = render(head.get());
            if (kind == ResourceKind.RELOCATABLE_VOLUME) {
                labelDerived().stream().filter(d -> d.name.equals(name)).findFirst()
                        .ifPresent(d -> annotateConflict(o, d.service));
            }
            return Optional.of(o);
        }
        if (kind == ResourceKind.RELOCATABLE_VOLUME) {
            return labelDerived().stream().filter(d -> d.name.equals(name)).findFirst().map(Derived::object);
        }
        return Optional.empty();
    }

    /** Every retained version of one object, oldest first (one per generation, plus the head). */
    public List<ObjectNode> history(ResourceKind kind, String name) {
        return backend.history(kind, name).stream().map(this::render).toList();
    }

    /** The recent changes of one object seen by this instance (bounded, not durable). */
    public List<WatchEvent> recentEvents(ResourceKind kind, String name) {
        return hubs.get(kind).recent(name);
    }

    /**
     * A Swarm config was created, updated or removed (a Docker event), or events may have been
     * missed (a resync): watches of every kind re-read soon. Returns at once.
     */
    public void configsChanged() {
        hubs.values().forEach(WatchHub::hint);
    }

    /** A service changed (a Docker event): watches of RelocatableVolumes, which services declare by label, re-read soon. */
    public void servicesChanged() {
        hubs.get(ResourceKind.RELOCATABLE_VOLUME).hint();
    }

    // ---- writes ------------------------------------------------------------------------------

    @Override
    public ObjectNode create(ResourceKind kind, ObjectNode object) {
        String name = object.path("metadata").path("name").asText();
        if (kind == ResourceKind.RELOCATABLE_VOLUME) {
            Optional<Derived> d = labelDerived().stream().filter(x -> x.name.equals(name)).findFirst();
            if (d.isPresent()) {
                throw new StoreException(Status.failure(StatusReason.AlreadyExists, kind.plural() + ".relocator.dev \"" + name
                        + "\" already exists: it is declared by the relocator.dev/* labels of service " + d.get().service
                        + "; change those labels (docker service update --label-add/--label-rm) or pick another metadata.name",
                        details(kind, name)));
            }
        }
        Optional<Record> head = backend.head(kind, name);
        if (head.isPresent() && !head.get().tombstone()) {
            throw new StoreException(Status.alreadyExists(kind.kind(), name));
        }
        ObjectNode stored = F.objectNode();
        stored.put("apiVersion", RelocatableVolume.API_VERSION);
        stored.put("kind", kind.kind());
        ObjectNode meta = stored.putObject("metadata");
        meta.put("name", name);
        copyIfPresent(object.path("metadata"), meta, "labels");
        copyIfPresent(object.path("metadata"), meta, "annotations");
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", now().toString());
        if (object.has("spec")) {
            stored.set("spec", object.get("spec").deepCopy());
        }
        try {
            return committed(kind, backend.append(kind, name, head.orElse(null), 1, false, stored));
        } catch (ConcurrentWriteException e) {
            throw new StoreException(Status.alreadyExists(kind.kind(), name), e);
        }
    }

    @Override
    public ObjectNode update(ResourceKind kind, String name, ObjectNode object, String expectedResourceVersion) {
        Record head = requireStored(kind, name);
        precondition(kind, name, expectedResourceVersion, head);
        ObjectNode current = head.object();
        if (current.path("metadata").has("deletionTimestamp")) {
            throw new StoreException(Status.failure(StatusReason.Conflict, kind.plural() + ".relocator.dev \"" + name
                    + "\" is being deleted (waiting for the relocation in flight to end): it cannot change any more; "
                    + "create it again once it is gone", details(kind, name)));
        }
        ObjectNode next = current.deepCopy();
        ObjectNode meta = (ObjectNode) next.get("metadata");
        meta.remove(List.of("labels", "annotations"));
        copyIfPresent(object.path("metadata"), meta, "labels");
        copyIfPresent(object.path("metadata"), meta, "annotations");
        JsonNode newSpec = object.path("spec");
        boolean specChanged = !newSpec.equals(current.path("spec"));
        if (specChanged) {
            next.set("spec", newSpec.deepCopy());
        }
        if (next.equals(current)) {
            return render(head); // a no-op write keeps its resourceVersion, as in Kubernetes
        }
        long generation = head.generation() + (specChanged ? 1 : 0);
        return write(kind, name, head, generation, false, next);
    }

    @Override
    public ObjectNode updateStatus(ResourceKind kind, String name, ObjectNode status, String expectedResourceVersion) {
        Record head = requireStored(kind, name);
        precondition(kind, name, expectedResourceVersion, head);
        ObjectNode current = head.object();
        ObjectNode newStatus = status == null ? F.objectNode() : status.deepCopy();
        long observed = newStatus.path("observedGeneration").asLong(0);
        if (observed > head.generation()) {
            throw new StoreException(Status.invalid(kind.kind(), name, List.of(new FieldError("status.observedGeneration",
                    FieldError.Type.INVALID, "is " + observed + " but metadata.generation is only " + head.generation(),
                    "report the generation the controller actually reconciled (≤ metadata.generation)"))));
        }
        keepTransitionTimes(current.path("status"), newStatus);
        ObjectNode next = current.deepCopy();
        next.set("status", newStatus);
        boolean deleting = current.path("metadata").has("deletionTimestamp");
        if (deleting && !inFlight(next)) {
            // the relocation that held the delete has ended: finish it
            return write(kind, name, head, head.generation(), true, next);
        }
        if (next.equals(current)) {
            return render(head);
        }
        return write(kind, name, head, head.generation(), false, next);
    }

    @Override
    public DeleteResult delete(ResourceKind kind, String name, String expectedResourceVersion) {
        Record head = requireStored(kind, name);
        precondition(kind, name, expectedResourceVersion, head);
        ObjectNode current = head.object();
        if (current.path("metadata").has("deletionTimestamp")) {
            return new DeleteResult(render(head), false);
        }
        ObjectNode next = current.deepCopy();
        ObjectNode meta = (ObjectNode) next.get("metadata");
        meta.put("deletionTimestamp", now().toString());
        if (inFlight(current)) {
            ArrayNode fin = meta.withArray("finalizers");
            fin.add(RELOCATION_FINALIZER);
            return new DeleteResult(write(kind, name, head, head.generation(), false, next), false);
        }
        return new DeleteResult(write(kind, name, head, head.generation(), true, next), true);
    }

    @Override
    public AutoCloseable watch(ResourceKind kind, String fromResourceVersion, Consumer<WatchEvent> sink) {
        Long from = null;
        if (fromResourceVersion != null && !fromResourceVersion.isEmpty()) {
            from = ResourceVersion.parse(fromResourceVersion).orElseThrow(() -> new StoreException(Status.badRequest(
                    "resourceVersion \"" + fromResourceVersion + "\" is not a version handed out by this API: "
                            + "list the resources and watch from the list's metadata.resourceVersion")));
        }
        return hubs.get(kind).subscribe(from, sink);
    }

    @Override
    public void close() {
        hubs.values().forEach(WatchHub::close);
        backend.close();
    }

    // ---- internals ---------------------------------------------------------------------------

    private ObjectNode write(ResourceKind kind, String name, Record head, long generation, boolean tombstone, ObjectNode next) {
        try {
            return committed(kind, backend.append(kind, name, head, generation, tombstone, next));
        } catch (ConcurrentWriteException e) {
            throw new StoreException(Status.conflict(kind.kind(), name), e);
        }
    }

    private ObjectNode committed(ResourceKind kind, Record r) {
        hubs.get(kind).changed();
        return render(r);
    }

    private Record requireStored(ResourceKind kind, String name) {
        Optional<Record> head = backend.head(kind, name).filter(r -> !r.tombstone());
        if (head.isPresent()) {
            return head.get();
        }
        if (kind == ResourceKind.RELOCATABLE_VOLUME) {
            Optional<Derived> d = labelDerived().stream().filter(x -> x.name.equals(name)).findFirst();
            if (d.isPresent()) {
                throw readOnly(kind, name, d.get().service);
            }
        }
        throw new StoreException(Status.notFound(kind.kind(), name));
    }

    /** The 409 for a write to an object declared by a service's labels. */
    static StoreException readOnly(ResourceKind kind, String name, String service) {
        return new StoreException(Status.failure(StatusReason.Conflict, kind.plural() + ".relocator.dev \"" + name
                + "\" is declared by the relocator.dev/* labels of service " + service
                + " and is read-only here: change the service's labels (docker service update --label-add ...), "
                + "or remove them and create the resource through the API", details(kind, name)));
    }

    private static void precondition(ResourceKind kind, String name, String expected, Record head) {
        ResourceVersion.checkPrecondition(kind.kind(), name, expected, head.version()).ifPresent(s -> {
            throw new StoreException(s);
        });
    }

    static boolean inFlight(JsonNode object) {
        return IN_FLIGHT.contains(object.path("status").path("phase").asText(""));
    }

    /** A condition whose status did not flip keeps the time of its last flip. */
    private void keepTransitionTimes(JsonNode oldStatus, ObjectNode newStatus) {
        JsonNode conditions = newStatus.get("conditions");
        if (conditions == null || !conditions.isArray()) {
            return;
        }
        Map<String, JsonNode> before = new LinkedHashMap<>();
        oldStatus.path("conditions").forEach(c -> before.put(c.path("type").asText(), c));
        for (JsonNode c : conditions) {
            ObjectNode cond = (ObjectNode) c;
            JsonNode old = before.get(cond.path("type").asText());
            if (old != null && old.path("status").equals(cond.path("status")) && old.hasNonNull("lastTransitionTime")) {
                cond.set("lastTransitionTime", old.get("lastTransitionTime"));
            } else if (!cond.hasNonNull("lastTransitionTime")) {
                cond.put("lastTransitionTime", now().toString());
            }
        }
    }

    private ObjectNode render(Record r) {
        ObjectNode o = r.object().deepCopy();
        ObjectNode meta = o.withObject("metadata");
        meta.put("generation", r.generation());
        meta.put("resourceVersion", ResourceVersion.of(r.version()));
        return o;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private static void copyIfPresent(JsonNode from, ObjectNode to, String field) {
        JsonNode v = from.get(field);
        if (v != null && v.isObject() && v.size() > 0) {
            to.set(field, v.deepCopy());
        }
    }

    private static dev.relocator.crd.api.StatusDetails details(ResourceKind kind, String name) {
        return new dev.relocator.crd.api.StatusDetails(name, RelocatableVolume.GROUP, kind.kind(), List.of());
    }

    private static void annotateConflict(ObjectNode stored, String service) {
        stored.withObject("metadata").withObject("annotations").put(CONFLICT_ANNOTATION, "service " + service
                + " declares the same name through relocator.dev/* labels; this stored resource wins and the labels are ignored: "
                + "remove the labels or give them another relocator.dev/name");
    }

    /** A resource declared by a service's labels. */
    private record Derived(String name, String service, long version, ObjectNode object) {
    }

    /**
     * Resources from labelled services, first service (by name) wins a duplicate name. A service whose
     * labels (or mount) are invalid is listed too, under the name it asks for, with its errors in
     * {@link ResourceStore#LABEL_ERRORS_ANNOTATION} and {@code Degraded=True, reason InvalidSpec}: the
     * controller does not act on it, and the user sees why where they look.
     */
    private List<Derived> labelDerived() {
        List<LabelledService> list = new ArrayList<>(services.labelledServices());
        list.sort(Comparator.comparing(LabelledService::name));
        Map<String, Derived> byName = new TreeMap<>();
        for (LabelledService s : list) {
            if (!LabelShorthand.optsIn(s.labels())) {
                continue;
            }
            Map<String, String> declared = declared(s.labels());
            ResourceValidator.Result r = shorthand.parse(s.name(), declared, s.workload());
            ObjectNode o;
            if (r.valid()) {
                o = r.defaulted().deepCopy();
            } else {
                o = LabelShorthand.toUnstructured(s.name(), declared, new ArrayList<>());
                String name = o.path("metadata").path("name").asText();
                if (warned.size() > 1000) {
                    warned.clear();
                }
                if (warned.add(s.name() + "@" + s.version())) { // once per service version: the poll would repeat it every second
                    LOG.warnf("service %s opts in with relocator.dev/* labels that cannot be applied%s: %s", s.name(),
                            name.isEmpty() ? " (no name to list it under)" : ", listed as " + name + " with Degraded/InvalidSpec",
                            r.errors());
                }
                if (name.isEmpty()) {
                    continue;
                }
            }
            String name = o.path("metadata").path("name").asText();
            Derived earlier = byName.get(name);
            if (earlier != null) {
                earlier.object.withObject("metadata").withObject("annotations").put(CONFLICT_ANNOTATION, "service " + s.name()
                        + " declares the same name through its labels and is ignored: give one of them another relocator.dev/name");
                continue;
            }
            ObjectNode meta = o.withObject("metadata");
            meta.withObject("annotations").put(SOURCE_ANNOTATION, "service/" + s.name());
            meta.put("generation", 1);
            meta.put("resourceVersion", ResourceVersion.of(s.version()));
            ObjectNode status;
            if (r.valid()) {
                status = ControllerLabels.status(s.labels(), o.path("spec").path("paused").asBoolean(false));
            } else {
                String errors = String.join("; ", r.errors().stream().map(FieldError::toString).toList());
                meta.withObject("annotations").put(LABEL_ERRORS_ANNOTATION, errors);
                status = ControllerLabels.invalid(s.labels(), errors);
            }
            if (status != null) {
                o.set("status", status);
            }
            byName.put(name, new Derived(name, s.name(), s.version(), o));
        }
        return List.copyOf(byName.values());
    }

    /** The user's shorthand labels: the controller's own state labels on the same service are not part of the spec. */
    private static Map<String, String> declared(Map<String, String> labels) {
        Map<String, String> out = new TreeMap<>(labels);
        out.keySet().removeIf(k -> k.startsWith(dev.relocator.core.model.Labels.STATE_PREFIX));
        return out;
    }

    /** One object with the version it was read at. */
    record Versioned(long version, ObjectNode object) {
    }

    /** What a watch diffs: live objects by name, tombstones by name, and the highest version seen. */
    record Snapshot(Map<String, Versioned> objects, Map<String, Versioned> tombstones, long maxVersion) {
    }

    Snapshot snapshot(ResourceKind kind) {
        Map<String, Versioned> live = new TreeMap<>();
        Map<String, Versioned> dead = new TreeMap<>();
        long max = 0;
        for (Record r : backend.heads(kind)) {
            max = Math.max(max, r.version());
            (r.tombstone() ? dead : live).put(r.name(), new Versioned(r.version(), render(r)));
        }
        if (kind == ResourceKind.RELOCATABLE_VOLUME) {
            for (Derived d : labelDerived()) {
                max = Math.max(max, d.version);
                Versioned stored = live.get(d.name);
                if (stored != null) {
                    annotateConflict(stored.object(), d.service);
                } else {
                    live.put(d.name, new Versioned(d.version, d.object));
                    dead.remove(d.name);
                }
            }
        }
        return new Snapshot(live, dead, max);
    }
}
