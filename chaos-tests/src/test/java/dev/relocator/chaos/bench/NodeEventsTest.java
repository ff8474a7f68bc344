package dev.relocator.chaos.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeEventsTest {

    /** The shape Engine 20.10 prints for `docker events --format '{{json .}}'` on a manager. */
    private static String line(String id, String name, String state, long nanos) {
        return "{\"Type\":\"node\",\"Action\":\"update\",\"Actor\":{\"ID\":\"" + id + "\",\"Attributes\":{\"name\":\"" + name
                + "\",\"state.new\":\"" + state + "\",\"state.old\":\"ready\"}},\"scope\":\"swarm\",\"time\":" + nanos / 1_000_000_000
                + ",\"timeNano\":" + nanos + "}";
    }

    @Test
    void aNodeGoingDownIsFoundByNameOrId() {
        assertEquals(Optional.of(1_700_000_012_345L), NodeEvents.downTime(line("abc", "w1", "down", 1_700_000_012_345_678_901L), "w1", "zzz", 1_700_000_000_000L));
        assertEquals(Optional.of(1_700_000_012_345L), NodeEvents.downTime(line("abc", "", "down", 1_700_000_012_345_678_901L), "w1", "abc", 1_700_000_000_000L));
    }

    @Test
    void otherNodesOtherStatesEarlierEventsAndGarbageAreNotIt() {
        assertTrue(NodeEvents.downTime(line("abc", "w2", "down", 1_700_000_012_345_678_901L), "w1", "zzz", 0).isEmpty());
        assertTrue(NodeEvents.downTime(line("abc", "w1", "ready", 1_700_000_012_345_678_901L), "w1", "abc", 0).isEmpty());
        assertTrue(NodeEvents.downTime(line("abc", "w1", "down", 1_700_000_012_345_678_901L), "w1", "abc", 1_800_000_000_000L).isEmpty());
        assertTrue(NodeEvents.downTime("not json", "w1", "abc", 0).isEmpty());
        assertTrue(NodeEvents.downTime("{\"Type\":\"container\",\"Action\":\"die\"}", "w1", "abc", 0).isEmpty());
    }
}
