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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The controller's side of the {@link ResourceStore}: reads every RelocatableVolume and the
 * RelocatorConfig into what the controller runs with ({@link #read}), and writes status back
 * ({@link #writeStatus}). Blocking I/O (Swarm configs and services): never called on the
 * controller's loop thread.
 *
 * <p>One reading of a resource. Stored resources (created through the API) and resources declared by
 * a service's {@code relocator.dev/*} labels (the stack-file shorthand, which the store derives with
 * {@code LabelShorthand}: target, driver and options from the service's mount, placement from its
 * constraints) both come from the store's list, exactly as {@code GET} and {@code relocatorctl} show
 * them, and both are mapped with {@link SpecMapper}: every shorthand field has its effect. A labelled
 * service whose labels cannot be applied is listed with {@link ResourceStore#LABEL_ERRORS_ANNOTATION}
 * and becomes an {@link SpecMapper.Invalid} like a stored resource that cannot be applied. A stored
 * resource wins over a labelled service that uses the same name (the store's rule), service or volume
 * (two specs must never drive one service or one volume).
 */
public final class ResourceSync {

    private static final Logger LOG = Logger.getLogger(ResourceSync.class);

    /** One spec the controller runs. {@code stored}: it has a stored object whose status is written. */
    public record Entry(VolumeSpec spec, Spec.Fencing fencing, long generation, boolean stored) {
    }

    /**
     * What one read found. {@code config} is empty when the RelocatorConfig could not be read (keep the last).
     * {@code storedStatus}: the status of each stored resource; {@code keys}: the {@link #key} of every
     * resource read, stored or labelled.
     */
    public record Desired(Map<String, Entry> specs, Map<String, SpecMapper.Invalid> invalid, Optional<RelocatorConfig> config,
                          Map<String, JsonNode> storedStatus, Map<String, String> storedKeys) {
    }

    private final ResourceStore store;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public ResourceSync(ResourceStore store) {
        this.store = store;
    }

    /** Reads every resource and the config. Throws if the resources cannot be listed (the caller keeps what it runs with). */
    public Desired read() {
        List<ObjectNode> items = store.list(ResourceKind.RELOCATABLE_VOLUME).items();
        Map<String, Entry> specs = new TreeMap<>();
        Map<String, SpecMapper.Invalid> invalid = new TreeMap<>();
        Map<String, JsonNode> statuses = new HashMap<>();
        Map<String, String> keys = new HashMap<>();
        Map<String, String> byService = new HashMap<>();
        Map<String, String> byVolume = new HashMap<>();
        List<ObjectNode> labelled = new ArrayList<>();
        for (ObjectNode o : items) {
            String name = o.path("metadata").path("name").asText();
            keys.put(name, key(o));
            if (labelSource(o) != null) {
                labelled.add(o); // after every stored one: a stored resource wins a clash
                continue;
            }
            statuses.put(name, o.path("status"));
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
        for (ObjectNode o : labelled) {
            readLabelled(o, specs, invalid, byService, byVolume);
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

    /** A resource from a service's labels: run it, report its label errors, or leave it to a stored one that clashes. */
    private void readLabelled(ObjectNode o, Map<String, Entry> specs, Map<String, SpecMapper.Invalid> invalid,
                              Map<String, String> byService, Map<String, String> byVolume) {
        String name = o.path("metadata").path("name").asText();
        String service = o.path("spec").path("service").asText(labelSource(o));
        String volume = o.path("spec").path("volume").path("name").asText("");
        String clash = specs.containsKey(name) || invalid.containsKey(name) ? "name " + name
                : byService.containsKey(service) ? "service " + service
                : byVolume.containsKey(volume) ? "volume " + volume : null;
        if (clash != null) {
            once("clash:" + service + clash, () -> LOG.warnf("service %s opts in with relocator.dev/volume, but a stored "
                    + "RelocatableVolume uses the same %s and wins: remove the labels or the stored resource", service, clash));
            return;
        }
        JsonNode labelErrors = o.path("metadata").path("annotations").get(ResourceStore.LABEL_ERRORS_ANNOTATION);
        SpecMapper.Result r = labelErrors != null ? null : SpecMapper.map(o);
        if (r == null || !r.valid()) {
            invalid.put(name, r == null ? new SpecMapper.Invalid("service " + service, "its relocator.dev/* labels cannot be applied: "
                    + labelErrors.asText()) : r.invalid());
            byService.put(service, name);
            byVolume.put(volume, name);
            return;
        }
        VolumeSpec s = r.spec();
        byService.put(s.service(), name);
        byVolume.put(s.volumeName(), name);
        specs.put(name, new Entry(s, r.fencing(), 1, false));
    }

    /** The service a resource's labels come from, or null for a stored resource. */
    private static String labelSource(JsonNode o) {
        JsonNode src = o.path("metadata").path("annotations").get(ResourceStore.SOURCE_ANNOTATION);
        return src == null ? null : src.asText().replaceFirst("^service/", "");
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
     * (move requests, label errors) and the delete mark; a status write by the controller itself does
     * not. A resource from labels stays at generation 1, so its spec is part of the key: a label
     * change (e.g. {@code relocator.dev/paused}) is read at once, the controller's own state labels
     * (its status) are not a change.
     */
    public static String key(JsonNode o) {
        JsonNode m = o.path("metadata");
        return m.path("generation").asText() + "|" + m.path("annotations") + "|" + m.path("deletionTimestamp").asText("")
                + (labelSource(o) != null ? "|" + o.path("spec") : "");
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
