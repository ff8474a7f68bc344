package dev.relocator.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;

/** Filtering, parsing and rendering of the watcher, without a broker. */
class EventWatcherTest {

    private static WatchedEvent event(String type, String subject, String kind, String data) {
        return WatchedEvent.parse(subject, """
                {"specversion":"1.0","id":"i","source":"/relocator/m","type":"%s","subject":"%s",
                 "time":"2026-12-04T20:00:00.123456Z","datacontenttype":"application/json",
                 "data":{"kind":"%s","epoch":7,"phase":"Fencing","sequence":3,"boot":"b"%s}}
                """.formatted(type, subject, kind, data));
    }

    private final WatchedEvent phase = event("dev.relocator.volume.phase.changed", "pgdata", "volume",
            ",\"details\":{\"fromNode\":\"w1\",\"toNode\":\"w2\"}");
    private final WatchedEvent lease = event("dev.relocator.node.lease.lost", "w1", "node", ",\"details\":{}");
    private final WatchedEvent snapshot = event("dev.relocator.volume.snapshot", "pgdata", "volume",
            ",\"missed\":4,\"replacedType\":\"dev.relocator.volume.phase.changed\",\"details\":{}");

    @Test
    void filtersByVolumeNodeAndType() {
        EventWatcher.Filter all = new EventWatcher.Filter(null, null, Set.of());
        assertTrue(all.matches(phase) && all.matches(lease));

        EventWatcher.Filter volume = new EventWatcher.Filter("pgdata", null, Set.of());
        assertTrue(volume.matches(phase) && volume.matches(snapshot));
        assertFalse(volume.matches(lease), "node events are not the volume's");

        EventWatcher.Filter node = new EventWatcher.Filter(null, "w1", Set.of());
        assertTrue(node.matches(lease), "the node's own events");
        assertTrue(node.matches(phase), "volume events that name the node");
        assertFalse(new EventWatcher.Filter(null, "w9", Set.of()).matches(phase));

        assertTrue(new EventWatcher.Filter(null, null, Set.of("lease.lost")).matches(lease), "type tail");
        assertTrue(new EventWatcher.Filter(null, null, Set.of("dev.relocator.node.lease.lost")).matches(lease));
        assertFalse(new EventWatcher.Filter(null, null, Set.of("lease.lost")).matches(phase));
        assertFalse(new EventWatcher.Filter(null, null, Set.of("lost")).matches(phase));
    }

    @Test
    void rendersATableRowAndMarksSnapshots() {
        String row = EventWatcher.row(phase);
        assertTrue(row.startsWith("2026-12-04T20:00:00.123Z"), row);
        assertTrue(row.contains("volume.phase.changed") && row.contains("pgdata") && row.contains("Fencing"), row);
        assertTrue(EventWatcher.row(snapshot).contains("RESYNC: 4 missed"), EventWatcher.row(snapshot));
        assertEquals(EventWatcher.header().indexOf("SUBJECT"), row.indexOf("pgdata"), "columns line up");
    }

    @Test
    void aRecordThatIsNotACloudEventIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WatchedEvent.parse("k", "{\"hello\":1}"));
        assertTrue(e.getMessage().contains("CloudEvents 1.0") && e.getMessage().contains("key k"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WatchedEvent.parse("k", "not json"));
    }
}
