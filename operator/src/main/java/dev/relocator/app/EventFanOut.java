package dev.relocator.app;

import dev.relocator.docker.events.DockerEvent;
import dev.relocator.docker.events.EventHandler;
import dev.relocator.docker.events.ObjectKind;
import dev.relocator.docker.events.ObjectRef;
import dev.relocator.docker.node.LocalView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Routes the event source's output: containers and volumes to the agent's {@link LocalView},
 * services and nodes (manager-only events) to whoever reconciles them, resyncs to both.
 * Runs on the event source's dispatcher thread; listeners must only enqueue work.
 */
@ApplicationScoped
public class EventFanOut implements EventHandler {

    @Inject
    LocalView localView;

    private final List<Consumer<ObjectRef>> clusterListeners = new CopyOnWriteArrayList<>();

    /** {@code listener} gets service and node hints and {@link ObjectRef#RESYNC}; it must not block. */
    public void onClusterHint(Consumer<ObjectRef> listener) {
        clusterListeners.add(listener);
    }

    @Override
    public void onChange(ObjectRef ref, DockerEvent latest) {
        if (ref.kind() == ObjectKind.CONTAINER || ref.kind() == ObjectKind.VOLUME) {
            localView.onChange(ref, latest);
        } else {
            clusterListeners.forEach(l -> l.accept(ref));
        }
    }

    @Override
    public void onResync() {
        localView.onResync();
        clusterListeners.forEach(l -> l.accept(ObjectRef.RESYNC));
    }
}
