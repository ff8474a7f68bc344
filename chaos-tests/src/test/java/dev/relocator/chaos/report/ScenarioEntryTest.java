package dev.relocator.chaos.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioEntryTest {

    @Test
    void percentilesAreNearestRank() {
        ScenarioEntry.Recovery r = ScenarioEntry.recovery(List.of(16.0, 15.0, 17.0, 30.0));
        assertEquals(16.0, r.p50());
        assertEquals(30.0, r.p99());
        assertEquals(30.0, r.max());
    }

    @Test
    void noRecoveryGivesNulls() {
        assertNull(ScenarioEntry.recovery(List.of()).p50());
    }
}
