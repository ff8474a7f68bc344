package dev.relocator.app;

import dev.relocator.docker.events.DockerEvent;
import dev.relocator.docker.events.EventHandler;
import dev.relocator.docker.events.ObjectKind;
import dev.relocator.docker.events.ObjectRef;
import dev.relocator.docker.node.LocalView;
import dev.relocator.store.StoreEventHints;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Routes the event source's output: containers and volumes to the agent's {@link LocalView},
 * services and nodes (manager-only events) to whoever reconciles them, services and configs to
 * the resource store's watches, resyncs to all.
 * Runs on the event source's dispatcher thread; listeners must only enqueue work.
 */
@ApplicationScoped
public class EventFanOut implements EventHandler {

    @Inject
    LocalView localView;

    private final List<Consumer<ObjectRef>> clusterListeners = new CopyOnWriteArrayList<>();
    private final List<StoreEventHints> storeHints = new CopyOnWriteArrayList<>();

    /** {@code listener} gets service and node hints and {@link ObjectRef#RESYNC}; it must not block. */
    public void onClusterHint(Consumer<ObjectRef> listener) {
        clusterListeners.add(listener);
    }

    /** {@code hints} gets service and config events and resyncs. */
    public void onStoreChange(StoreEventHints hints) {
        storeHints.add(hints);
    }

    @Override
    public void onChange(ObjectRef ref, DockerEvent latest) {
        switch (ref.kind()) {
            case CONTAINER, VOLUME -> localView.onChange(ref, latest);
            // a config is only ever a stored resource: the controller learns of it through the store's watch
            case CONFIG -> storeHints.forEach(h -> h.onChange(ref, latest));
            case SERVICE -> {
                clusterListeners.forEach(l -> l.accept(ref));
                storeHints.forEach(h -> h.onChange(ref, latest));
            }
            default -> clusterListeners.forEach(l -> l.accept(ref));
        }
    }

    @Override
    public void onResync() {
        localView.onResync();
        clusterListeners.forEach(l -> l.accept(ObjectRef.RESYNC));
        storeHints.forEach(StoreEventHints::onResync);
    }
}
