package dev.relocator.store;

import dev.relocator.docker.events.DockerEvent;
import dev.relocator.docker.events.EventHandler;
import dev.relocator.docker.events.ObjectKind;
import dev.relocator.docker.events.ObjectRef;

import java.util.Objects;

/**
 * Docker events as hints for the store's watches: a config event may be a resource written by
 * another instance, a service event a label-declared RelocatableVolume, a resync (periodic, or
 * after the stream was lost) anything. The event's content is not trusted: the watch re-reads
 * and diffs. Runs on the event dispatcher: only queues the re-read.
 */
public final class StoreEventHints implements EventHandler {

    private final VersionedResourceStore store;

    public StoreEventHints(VersionedResourceStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public void onChange(ObjectRef ref, DockerEvent latest) {
        if (ref.kind() == ObjectKind.CONFIG) {
            store.configsChanged();
        } else if (ref.kind() == ObjectKind.SERVICE) {
            store.servicesChanged();
        }
    }

    @Override
    public void onResync() {
        store.configsChanged();
    }
}
