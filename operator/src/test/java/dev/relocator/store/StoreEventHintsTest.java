package dev.relocator.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.crd.validation.ValidationOptions;
import dev.relocator.docker.events.ObjectKind;
import dev.relocator.docker.events.ObjectRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.relocator.store.ResourceKind.RELOCATABLE_VOLUME;
import static dev.relocator.store.ResourceKind.RELOCATOR_CONFIG;
import static org.awaitility.Awaitility.await;

/**
 * Docker events reach the right watches. Writes go to the backend directly, as another instance's
 * would (this store is not told), and the resync is an hour: only the event can deliver them.
 */
class StoreEventHintsTest {

    private final List<LabelledService> services = new CopyOnWriteArrayList<>();
    private final VersionedResourceStore store = new VersionedResourceStore(new InMemoryBackend(), () -> services,
            ValidationOptions.defaults(), Clock.systemUTC(), Duration.ofHours(1));
    private final StoreEventHints hints = new StoreEventHints(store);

    @AfterEach
    void close() {
        store.close();
    }

    private void writeElsewhere(ResourceKind kind, String name, ObjectNode object) {
        object.withObject("metadata").put("name", name);
        store.backend().append(kind, name, null, 1, false, object);
    }

    private static boolean added(List<WatchEvent> seen, String name) {
        return seen.stream().anyMatch(e -> e.type() == WatchEvent.Type.ADDED && name.equals(e.object().path("metadata").path("name").asText()));
    }

    @Test
    void aConfigEventReReadsEveryKind() throws Exception {
        List<WatchEvent> volumes = new CopyOnWriteArrayList<>();
        List<WatchEvent> configs = new CopyOnWriteArrayList<>();
        try (AutoCloseable a = store.watch(RELOCATABLE_VOLUME, null, volumes::add);
             AutoCloseable b = store.watch(RELOCATOR_CONFIG, null, configs::add)) {
            writeElsewhere(RELOCATABLE_VOLUME, "pgdata", Volumes.valid("pgdata"));
            writeElsewhere(RELOCATOR_CONFIG, "default", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
            hints.onChange(new ObjectRef(ObjectKind.CONFIG, "cfg-id"), null);
            await().atMost(Duration.ofSeconds(5)).until(() -> added(volumes, "pgdata") && added(configs, "default"));
        }
    }

    @Test
    void aServiceEventReReadsLabelDeclaredVolumes() throws Exception {
        List<WatchEvent> volumes = new CopyOnWriteArrayList<>();
        try (AutoCloseable a = store.watch(RELOCATABLE_VOLUME, null, volumes::add)) {
            services.add(new LabelledService("shop_db", 77, Map.of("relocator.dev/volume", "shop_pgdata", "relocator.dev/driver", "local",
                    "relocator.dev/volume-opt.type", "nfs", "relocator.dev/volume-opt.o", "addr=nas,rw", "relocator.dev/volume-opt.device", ":/pg",
                    "relocator.dev/target", "/var/lib/postgresql/data")));
            hints.onChange(new ObjectRef(ObjectKind.SERVICE, "svc-id"), null);
            await().atMost(Duration.ofSeconds(5)).until(() -> added(volumes, "shop-pgdata"));
        }
    }

    @Test
    void aResyncReReadsEverything() throws Exception {
        List<WatchEvent> volumes = new CopyOnWriteArrayList<>();
        try (AutoCloseable a = store.watch(RELOCATABLE_VOLUME, null, volumes::add)) {
            writeElsewhere(RELOCATABLE_VOLUME, "pgdata", Volumes.valid("pgdata"));
            hints.onResync();
            await().atMost(Duration.ofSeconds(5)).until(() -> added(volumes, "pgdata"));
        }
    }
}
