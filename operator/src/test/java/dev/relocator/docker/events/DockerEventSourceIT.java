package dev.relocator.docker.events;

import dev.relocator.docker.DockerClients;
import dev.relocator.docker.node.LocalNodeOperations;
import dev.relocator.docker.node.LocalView;
import dev.relocator.docker.swarm.RelocatorLabels;
import dev.relocator.testkit.docker.DockerEngine;
import dev.relocator.testkit.docker.EngineProxy;
import dev.relocator.testkit.docker.TestResources;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

/** Event ingestion against the real engine, with real faults on the path to it. */
class DockerEventSourceIT {

    private DockerClients direct;
    private DockerClients viaProxy;
    private EngineProxy proxy;
    private TestResources resources;
    private DockerEventSource source;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void setUp() throws Exception {
        direct = DockerEngine.connect();
        resources = new TestResources(direct.requests());
        proxy = new EngineProxy(DockerEngine.endpoint());
        viaProxy = DockerClients.connect(DockerClients.Settings.defaults().withHost(proxy.host())
                .withResponseTimeout(Duration.ofSeconds(2)));
    }

    @AfterEach
    void tearDown() {
        if (source != null) {
            source.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (viaProxy != null) {
            viaProxy.close();
        }
        if (resources != null) {
            resources.close();
        }
        if (direct != null) {
            direct.close();
        }
    }

    private String relocatableVolume(String base) {
        String name = resources.name(base);
        direct.requests().createVolumeCmd().withName(name)
                .withLabels(resources.volumeLabels(Map.of(RelocatorLabels.RELOCATABLE, "true"))).exec();
        return name;
    }

    /** The stream goes through the proxy; re-reads of the truth go straight to the engine. */
    private RecordingHandler startSource(DockerEventSource.Settings settings, LocalView view) {
        RecordingHandler handler = new RecordingHandler(view);
        source = new DockerEventSource(viaProxy.events(), viaProxy.requests(), settings, handler, registry);
        source.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> source.hasSynced() && source.isConnected());
        return handler;
    }

    private LocalView view() {
        return new LocalView(direct.requests(), new LocalNodeOperations(direct.requests(),
                v -> resources.runId().equals(v.labels().get(dev.relocator.testkit.docker.TestLabels.RUN))));
    }

    @Test
    void seesStartMountAndDieEvents() {
        RecordingHandler handler = startSource(DockerEventSource.Settings.defaults(), view());
        String volume = relocatableVolume("ev");
        String id = resources.runWithVolume(resources.name("ev"), volume);
        direct.requests().killContainerCmd(id).exec();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertTrue(handler.saw(ObjectKind.CONTAINER, id, "start")
                    || handler.saw(ObjectKind.CONTAINER, id, "die"), () -> "container hint, seen " + handler.describe());
            assertTrue(handler.saw(ObjectKind.VOLUME, volume, "mount")
                    || handler.saw(ObjectKind.VOLUME, volume, "unmount"), () -> "volume hint, seen " + handler.describe());
        });
        // start and die of one container coalesce into one pending hint only when the
        // dispatcher is slower than the engine; the die itself must always get through
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.saw(ObjectKind.CONTAINER, id, "die")
                || handler.saw(ObjectKind.CONTAINER, id, "kill"));
        assertTrue(registry.get("relocator.docker.events.received").tag("kind", "container").counter().count() > 0);
    }

    @Test
    void resumesWithSinceAfterAForcedDisconnectAndLosesNothing() {
        // resync period at its maximum: what is seen below must come from the resumed stream
        RecordingHandler handler = startSource(DockerEventSource.Settings.defaults().withMaxBackoff(Duration.ofMillis(500)), view());
        String volume = relocatableVolume("gap");

        proxy.refuse(true);
        proxy.dropAll();
        await().atMost(Duration.ofSeconds(10)).until(() -> !source.isConnected());

        String stopped = resources.runWithVolume(resources.name("gap-a"), volume);
        direct.requests().killContainerCmd(stopped).exec();
        String started = resources.runWithVolume(resources.name("gap-b"), volume);
        assertFalse(handler.sawAnything(stopped), "nothing can arrive while disconnected");
        assertFalse(source.isConnected());

        proxy.refuse(false);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertTrue(handler.saw(ObjectKind.CONTAINER, stopped, "die"), () -> "die of " + stopped + " replayed, seen " + handler.describe());
            assertTrue(handler.saw(ObjectKind.CONTAINER, started, "start"), () -> "start of " + started + " replayed, seen " + handler.describe());
        });
        assertTrue(source.connections() >= 2, "the stream was re-opened");
        assertFalse(registry.find("relocator.docker.events.reconnects").counters().isEmpty());
    }

    @Test
    void resyncRepairsTheViewWhileTheStreamIsStalled() {
        LocalView view = view();
        DockerEventSource.Settings settings = DockerEventSource.Settings.defaults()
                .withResyncPeriod(Duration.ofSeconds(2))
                .withStall(Duration.ofSeconds(3), Duration.ofMillis(500))
                .withMaxBackoff(Duration.ofMillis(500));
        RecordingHandler handler = startSource(settings, view);
        String volume = relocatableVolume("stall");

        proxy.pause(true);
        String id = resources.runWithVolume(resources.name("stall"), volume);

        await().atMost(Duration.ofSeconds(10)).until(() ->
                view.containers().stream().anyMatch(c -> c.id().equals(id) && c.alive()));
        assertFalse(handler.sawAnything(id), "the stream is stalled: only the resync can have seen it");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                registry.find("relocator.docker.events.reconnects").tag("cause", "stall").counter() != null);

        proxy.pause(false);
        await().atMost(Duration.ofSeconds(20)).until(() -> handler.saw(ObjectKind.CONTAINER, id, "start"));
    }
}
