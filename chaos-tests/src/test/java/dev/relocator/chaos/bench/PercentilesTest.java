package dev.relocator.chaos.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void nearestRankPicksAMeasuredValue() {
        List<Integer> twenty = java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList();
        assertEquals(18.0, Percentiles.of(twenty, 90));
        // with 20 samples p99 is the maximum: no extrapolation beyond what was measured
        assertEquals(20.0, Percentiles.of(twenty, 99));
        assertEquals(10.0, Percentiles.of(twenty, 50));
        assertEquals(1.0, Percentiles.of(twenty, 1));
        assertEquals(10.5, Percentiles.median(twenty));
    }

    @Test
    void orderOfTheSampleDoesNotMatter() {
        assertEquals(7.0, Percentiles.median(List.of(9, 7, 1)));
        assertEquals(9.0, Percentiles.of(List.of(9.0, 7.0, 1.0), 99));
    }

    @Test
    void summaryOfAnEmptySampleHasOnlyItsCount() {
        assertEquals(Map.of("n", 0), Percentiles.summary(List.of()));
        Map<String, Object> s = Percentiles.summary(List.of(3, 1, 2));
        assertEquals(3, s.get("n"));
        assertEquals(1.0, s.get("min"));
        assertEquals(2.0, s.get("p50"));
        assertEquals(3.0, s.get("p99"));
        assertEquals(3.0, s.get("max"));
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        assertEquals("no sample to take a percentile of",
                assertThrows(IllegalArgumentException.class, () -> Percentiles.of(List.of(), 50)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(List.of(1), 0));
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(List.of(1), 101));
    }
}
