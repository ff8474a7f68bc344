package dev.relocator.docker.node;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.relocator.docker.events.DockerEvent;
import dev.relocator.docker.events.EventHandler;
import dev.relocator.docker.events.ObjectKind;
import dev.relocator.docker.events.ObjectRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The agent's observation of its node: which containers mount relocatable volumes, and in
 * which state. Event hints re-inspect one container; a resync replaces everything. This is
 * what the agent reports in heartbeats; it is never what a kill decision relies on
 * ({@link LocalNodeOperations} re-reads the engine for that).
 */
public final class LocalView implements EventHandler {

    private final DockerClient docker;
    private final LocalNodeOperations operations;
    private final Map<String, LocalContainer> containers = new ConcurrentHashMap<>();
    private volatile Set<String> relocatableVolumes = Set.of();
    private volatile long resyncs;
    private final List<Consumer<ObjectRef>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public LocalView(DockerClient docker, LocalNodeOperations operations) {
        this.docker = docker;
        this.operations = operations;
    }

    /** Called on the dispatcher thread after the view of {@code ref} changed (or {@link ObjectRef#RESYNC}). */
    public void addListener(Consumer<ObjectRef> listener) {
        listeners.add(listener);
    }

    @Override
    public void onChange(ObjectRef ref, DockerEvent latest) {
        if (ref.kind() == ObjectKind.CONTAINER) {
            refreshContainer(ref.id());
        } else if (ref.kind() == ObjectKind.VOLUME) {
            if ("create".equals(latest.action()) || "destroy".equals(latest.action())) {
                relocatableVolumes = operations.relocatableVolumeNames();
            }
            String container = latest.attributes().get("container");
            if (container != null && !container.isBlank()) {
                refreshContainer(container);
            }
        } else {
            return;
        }
        notifyListeners(ref);
    }

    @Override
    public void onResync() {
        Set<String> names = operations.relocatableVolumeNames();
        List<LocalContainer> now = names.isEmpty() ? List.of() : operations.containersMountingRelocatable();
        relocatableVolumes = Set.copyOf(names);
        Map<String, LocalContainer> fresh = new ConcurrentHashMap<>();
        for (LocalContainer c : now) {
            fresh.put(c.id(), c);
        }
        containers.keySet().retainAll(fresh.keySet());
        containers.putAll(fresh);
        resyncs++;
        notifyListeners(ObjectRef.RESYNC);
    }

    private void refreshContainer(String id) {
        InspectContainerResponse c;
        try {
            c = docker.inspectContainerCmd(id).exec();
        } catch (NotFoundException e) {
            containers.remove(id);
            return;
        }
        Set<String> relocatable = relocatableVolumes;
        List<String> volumes = new ArrayList<>();
        if (c.getMounts() != null) {
            for (InspectContainerResponse.Mount m : c.getMounts()) {
                if (m.getName() != null && relocatable.contains(m.getName())) {
                    volumes.add(m.getName());
                }
            }
        }
        if (volumes.isEmpty()) {
            containers.remove(id);
            return;
        }
        String state = c.getState() == null || c.getState().getStatus() == null ? "unknown" : c.getState().getStatus();
        String name = c.getName() == null ? id : c.getName().replaceFirst("^/", "");
        Map<String, String> labels = c.getConfig() == null || c.getConfig().getLabels() == null ? Map.of() : c.getConfig().getLabels();
        containers.put(c.getId(), new LocalContainer(c.getId(), name, state, volumes, labels));
    }

    private void notifyListeners(ObjectRef ref) {
        for (Consumer<ObjectRef> l : listeners) {
            try {
                l.accept(ref);
            } catch (RuntimeException e) {
                org.jboss.logging.Logger.getLogger(LocalView.class).warnf("local view listener failed on %s: %s", ref, e.toString());
            }
        }
    }

    /** A snapshot: containers of this node that mount relocatable volumes. */
    public List<LocalContainer> containers() {
        return List.copyOf(containers.values());
    }

    public Set<String> relocatableVolumes() {
        return relocatableVolumes;
    }

    /** Volumes mounted by a live container on this node, as last observed. */
    public Set<String> mountedVolumes() {
        Set<String> out = new java.util.TreeSet<>();
        for (LocalContainer c : containers.values()) {
            if (c.alive()) {
                out.addAll(c.volumes());
            }
        }
        return out;
    }

    public long resyncs() {
        return resyncs;
    }
}
