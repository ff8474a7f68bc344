package dev.relocator.docker.events;

import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventActor;
import com.github.dockerjava.api.model.EventType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DockerEventTest {

    static Event raw(EventType type, String action, String id, long timeNano, Map<String, String> attributes) {
        return new Event().withType(type).withAction(action)
                .withEventActor(new EventActor().withId(id).withAttributes(attributes))
                .withTime(timeNano / 1_000_000_000L).withTimenano(timeNano);
    }

    @Test
    void decodesTheKindsAndActionsRelocatorListensTo() {
        DockerEvent die = DockerEvent.decode(raw(EventType.CONTAINER, "die", "c1", 5, Map.of("exitCode", "137"))).orElseThrow();
        assertEquals(new ObjectRef(ObjectKind.CONTAINER, "c1"), die.ref());
        assertEquals("die", die.action());
        assertEquals(5, die.timeNano());
        assertEquals("137", die.attributes().get("exitCode"));

        DockerEvent mount = DockerEvent.decode(raw(EventType.VOLUME, "mount", "pgdata", 6, Map.of("container", "c1"))).orElseThrow();
        assertEquals(new ObjectRef(ObjectKind.VOLUME, "pgdata"), mount.ref());
        assertEquals(ObjectKind.SERVICE, DockerEvent.decode(raw(EventType.SERVICE, "update", "s1", 7, Map.of())).orElseThrow().ref().kind());
        assertEquals(ObjectKind.NODE, DockerEvent.decode(raw(EventType.NODE, "update", "n1", 8, Map.of())).orElseThrow().ref().kind());
        assertEquals("oom", DockerEvent.decode(raw(EventType.CONTAINER, "oom", "c1", 9, Map.of())).orElseThrow().action());
        // the resource store's objects are Swarm configs: their events drive its watches
        DockerEvent config = DockerEvent.decode(raw(EventType.CONFIG, "create", "cfg1", 10, Map.of("name", "relocator.default.rv.a.1")))
                .orElseThrow();
        assertEquals(new ObjectRef(ObjectKind.CONFIG, "cfg1"), config.ref());
        assertEquals("relocator.default.rv.a.1", config.attributes().get("name"));
        assertEquals(ObjectKind.CONFIG, DockerEvent.decode(raw(EventType.CONFIG, "remove", "cfg1", 11, Map.of())).orElseThrow().ref().kind());
    }

    @Test
    void ignoresWhatCannotChangeAnAttachment() {
        assertTrue(DockerEvent.decode(raw(EventType.CONTAINER, "exec_start: sh -c true", "c1", 1, Map.of())).isEmpty());
        assertTrue(DockerEvent.decode(raw(EventType.CONTAINER, "health_status: healthy", "c1", 1, Map.of())).isEmpty());
        assertTrue(DockerEvent.decode(raw(EventType.NETWORK, "connect", "n", 1, Map.of())).isEmpty());
        assertTrue(DockerEvent.decode(raw(EventType.IMAGE, "pull", "i", 1, Map.of())).isEmpty());
        assertTrue(DockerEvent.decode(raw(EventType.SECRET, "create", "s", 1, Map.of())).isEmpty());
        assertTrue(DockerEvent.decode(new Event()).isEmpty());
        assertTrue(DockerEvent.decode(null).isEmpty());
    }

    @Test
    void fallsBackToSecondsWhenTheDaemonSendsNoNanoseconds() {
        Event e = new Event().withType(EventType.CONTAINER).withAction("start").withEventActor(new EventActor().withId("c"))
                .withTime(1_700_000_000L);
        assertEquals(1_700_000_000_000_000_000L, DockerEvent.decode(e).orElseThrow().timeNano());
    }

    @Test
    void settingsRefuseAResyncPeriodLongerThanThirtySeconds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DockerEventSource.Settings.defaults().withResyncPeriod(Duration.ofSeconds(31)));
        assertTrue(e.getMessage().contains("resync-period"), e.getMessage());
        assertEquals(Duration.ofSeconds(30), DockerEventSource.Settings.defaults().resyncPeriod());
    }
}
