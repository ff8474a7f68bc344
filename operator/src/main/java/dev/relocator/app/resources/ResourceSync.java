package dev.relocator.app.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.api.ResourcesApi;
import dev.relocator.core.model.MoveRequest;
import dev.relocator.core.model.NodeInfo;
import dev.relocator.core.model.Phase;
import dev.relocator.core.model.VolumeSpec;
import dev.relocator.core.model.VolumeState;
import dev.relocator.crd.Resources;
import dev.relocator.crd.api.StatusReason;
import dev.relocator.crd.model.RelocatorConfig;
import dev.relocator.crd.model.Spec;
import dev.relocator.store.ResourceKind;
import dev.relocator.store.ResourceStore;
import dev.relocator.store.StoreException;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The controller's side of the {@link ResourceStore}: reads every RelocatableVolume and the
 * RelocatorConfig into what the controller runs with ({@link #read}), and writes status back
 * ({@link #writeStatus}). Blocking I/O (Swarm configs and services): never called on the
 * controller's loop thread.
 *
 * <p>Two sources, one set of specs. Stored resources (created through the API) are mapped with
 * {@link SpecMapper}. Services that opt in with {@code relocator.dev/volume} are read as before by
 * the label source the lab and stack files depend on (driver, options and target from the
 * service's mount); the store's own label-derived objects are not used for them, because the
 * store's shorthand needs {@code relocator.dev/target} and would drop such services. A stored
 * resource wins over a labelled service that uses the same name, service or volume (the store's
 * rule for names, extended: two specs must never drive one service or one volume).
 */
public final class ResourceSync {

    private static final Logger LOG = Logger.getLogger(ResourceSync.class);

    /** One spec the controller runs. {@code stored}: it has a stored object whose status is written. */
    public record Entry(VolumeSpec spec, Spec.Fencing fencing, long generation, boolean stored) {
    }

    /** What one read found. {@code config} is empty when the RelocatorConfig could not be read (keep the last). */
    public record Desired(Map<String, Entry> specs, Map<String, SpecMapper.Invalid> invalid, Optional<RelocatorConfig> config,
                          Map<String, JsonNode> storedStatus, Map<String, String> storedKeys) {
    }

    /** The label-declared specs and the services rejected with the reason. */
    public record Labelled(List<VolumeSpec> specs, Map<String, String> rejected) {
    }

    private final ResourceStore store;
    private final Supplier<Labelled> labelled;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public ResourceSync(ResourceStore store, Supplier<Labelled> labelled) {
        this.store = store;
        this.labelled = labelled;
    }

    /**
     * Reads both sources. Throws if the stored resources cannot be listed (the caller keeps what it
     * runs with); a labelled-service listing failure drops nothing either: it throws too.
     */
    public Desired read() {
        List<ObjectNode> items = store.list(ResourceKind.RELOCATABLE_VOLUME).items();
        Map<String, Entry> specs = new TreeMap<>();
        Map<String, SpecMapper.Invalid> invalid = new TreeMap<>();
        Map<String, JsonNode> statuses = new HashMap<>();
        Map<String, String> keys = new HashMap<>();
        Map<String, String> byService = new HashMap<>();
        Map<String, String> byVolume = new HashMap<>();
        for (ObjectNode o : items) {
            if (o.path("metadata").path("annotations").has(ResourceStore.SOURCE_ANNOTATION)) {
                continue;
            }
            String name = o.path("metadata").path("name").asText();
            statuses.put(name, o.path("status"));
            keys.put(name, key(o));
            SpecMapper.Result r = SpecMapper.map(o);
            if (!r.valid()) {
                invalid.put(name, r.invalid());
                continue;
            }
            VolumeSpec s = r.spec();
            String other = byService.putIfAbsent(s.service(), name);
            if (other != null) {
                invalid.put(name, new SpecMapper.Invalid("spec.service", "service " + s.service()
                        + " is already managed by RelocatableVolume " + other + "; one service has one relocatable volume: "
                        + "delete one of them or point it at another service"));
                continue;
            }
            other = byVolume.putIfAbsent(s.volumeName(), name);
            if (other != null) {
                byService.remove(s.service());
                invalid.put(name, new SpecMapper.Invalid("spec.volume.name", "volume " + s.volumeName()
                        + " is already managed by RelocatableVolume " + other + "; give this one its own volume name"));
                continue;
            }
            specs.put(name, new Entry(s, r.fencing(), o.path("metadata").path("generation").asLong(1), true));
        }
        Labelled l = labelled.get();
        l.rejected().forEach((service, why) -> once("rejected:" + service + why,
                () -> LOG.warnf("service %s opts in but is rejected: %s", service, why)));
        for (VolumeSpec s : l.specs()) {
            String clash = specs.containsKey(s.name()) || invalid.containsKey(s.name()) ? "name " + s.name()
                    : byService.containsKey(s.service()) ? "service " + s.service()
                    : byVolume.containsKey(s.volumeName()) ? "volume " + s.volumeName() : null;
            if (clash != null) {
                once("clash:" + s.service() + clash, () -> LOG.warnf("service %s opts in with relocator.dev/volume, but a stored "
                        + "RelocatableVolume uses the same %s and wins: remove the labels or the stored resource", s.service(), clash));
                continue;
            }
            byService.put(s.service(), s.name());
            byVolume.put(s.volumeName(), s.name());
            specs.put(s.name(), new Entry(s, null, 1, false));
        }
        Optional<RelocatorConfig> config;
        try {
            config = Optional.of(store.get(ResourceKind.RELOCATOR_CONFIG, RelocatorConfig.NAME)
                    .map(ResourceSync::config).orElse(RelocatorConfig.defaults()));
        } catch (RuntimeException e) {
            once("config:" + e.getMessage(), () -> LOG.warnf("RelocatorConfig %s cannot be read, the last one read stays in force: %s",
                    RelocatorConfig.NAME, e.getMessage()));
            config = Optional.empty();
        }
        return new Desired(specs, invalid, config, statuses, keys);
    }

    private static RelocatorConfig config(ObjectNode o) {
        ObjectNode copy = o.deepCopy();
        try {
            return Resources.jsonMapper().treeToValue(copy, RelocatorConfig.class);
        } catch (Exception e) {
            throw new IllegalArgumentException("it does not match the RelocatorConfig schema (" + e.getMessage()
                    + "); re-apply it through the API, which validates it");
        }
    }

    /**
     * What a watch event must change to matter to the controller: generation (spec), annotations
     * (move requests) and the delete mark; a status write by the controller itself does not.
     */
    public static String key(JsonNode o) {
        JsonNode m = o.path("metadata");
        return m.path("generation").asText() + "|" + m.path("annotations") + "|" + m.path("deletionTimestamp").asText("");
    }

    /**
     * Writes {@code desired} as the status of the stored resource {@code name} when it differs from
     * the stored one (compare-and-swap; a conflict is retried on a fresh read), then removes the move
     * annotations when the request no longer applies (the volume is Attached where it wanted it).
     *
     * @param desired the status, or null to build it from {@code invalid} and the stored status
     * @return false when the store refused or could not be reached (the caller re-queues the status)
     */
    public boolean writeStatus(String name, ObjectNode desired, SpecMapper.Invalid invalid, Long runningGeneration,
                               VolumeState state) {
        for (int attempt = 0; attempt < 4; attempt++) {
            Optional<ObjectNode> current;
            try {
                current = store.get(ResourceKind.RELOCATABLE_VOLUME, name);
            } catch (RuntimeException e) {
                LOG.debugf("status of %s not written: cannot read it (%s)", name, e.getMessage());
                return false;
            }
            if (current.isEmpty() || current.get().path("metadata").path("annotations").has(ResourceStore.SOURCE_ANNOTATION)) {
                return true; // gone, or label-declared (its status is the service's labels)
            }
            ObjectNode object = current.get();
            String rv = object.path("metadata").path("resourceVersion").asText();
            ObjectNode status = desired != null ? desired : StatusBuilder.invalid(object.path("status"), invalid, runningGeneration);
            try {
                if (StatusBuilder.differs(object.path("status"), status)) {
                    ObjectNode written = store.updateStatus(ResourceKind.RELOCATABLE_VOLUME, name, status, rv);
                    if (written.path("metadata").has("deletionTimestamp") && !inFlight(status)) {
                        return true; // the write completed a pending delete
                    }
                    object = written;
                    rv = written.path("metadata").path("resourceVersion").asText();
                }
                clearSatisfiedMove(name, object, rv, state);
                return true;
            } catch (StoreException e) {
                if (e.status().reason() == StatusReason.Conflict) {
                    continue; // someone wrote in between: read again
                }
                if (e.status().reason() == StatusReason.NotFound) {
                    return true;
                }
                LOG.warnf("status of %s not written: %s", name, e.getMessage());
                return false;
            } catch (RuntimeException e) {
                LOG.warnf("status of %s not written: %s", name, e.toString());
                return false;
            }
        }
        return false;
    }

    private void clearSatisfiedMove(String name, ObjectNode object, String rv, VolumeState state) {
        if (state == null || state.phase() != Phase.ATTACHED || object.path("metadata").has("deletionTimestamp")) {
            return;
        }
        JsonNode ann = object.path("metadata").path("annotations");
        MoveRequest move;
        try {
            move = SpecMapper.move(ann);
        } catch (IllegalArgumentException e) {
            return; // reported as InvalidSpec; the user fixes or removes it
        }
        if (move == null || move.pendingFor(state.node())) {
            return;
        }
        ObjectNode next = object.deepCopy();
        next.remove("status");
        ObjectNode a = (ObjectNode) next.path("metadata").path("annotations");
        a.remove(List.of(ResourcesApi.RELOCATE_TO, ResourcesApi.DRAIN_FROM, ResourcesApi.REQUESTED_AT));
        store.update(ResourceKind.RELOCATABLE_VOLUME, name, next, rv);
        LOG.infof("RelocatableVolume %s: move request (to=%s, from=%s, at %s) done, attached to %s: annotations removed", name,
                move.to(), move.from(), move.requestedAt(), state.node());
    }

    private static boolean inFlight(JsonNode status) {
        String p = status.path("phase").asText("");
        return p.equals("Fencing") || p.equals("Detaching") || p.equals("Attaching") || p.equals("Starting");
    }

    private void once(String key, Runnable log) {
        if (warned.size() > 1000) {
            warned.clear();
        }
        if (warned.add(key)) {
            log.run();
        }
    }

    /** For tests and logs: the specs by name with their generations. */
    public static Map<String, Long> generations(Desired d) {
        Map<String, Long> m = new LinkedHashMap<>();
        d.specs().forEach((n, e) -> m.put(n, e.generation()));
        return m;
    }

    /** The nodes a fence hook may need, by id (convenience for callers holding a list). */
    public static Map<String, NodeInfo> byId(List<NodeInfo> nodes) {
        Map<String, NodeInfo> m = new HashMap<>();
        nodes.forEach(n -> m.put(n.id(), n));
        return m;
    }
}
