package dev.relocator.chaos.rolling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.relocator.chaos.checker.Checker;
import dev.relocator.chaos.history.Op;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gap measure of {@link OperatorRollingUpdateIT}: a writer that stops must show as a long pause. */
class AckGapTest {

    private static Op ack(long t) {
        return new Op(t, "a", Op.OK, Checker.WRITE, Map.of("seq", t));
    }

    @Test
    void theLongestPauseBetweenAcknowledgedWritesInTheWindow() {
        List<Op> h = List.of(ack(900), ack(1_100), ack(1_300), ack(4_300), ack(4_500), ack(9_000));
        // from the last ack before the window (900) to 1_100 ... the 3 s hole between 1_300 and 4_300
        assertEquals(3_000, OperatorRollingUpdateIT.maxAckGap(h, 1_000, 5_000));
    }

    @Test
    void aWriterThatStoppedCountsUntilTheEndOfTheWindow() {
        List<Op> h = List.of(ack(900), ack(1_100));
        assertEquals(8_900, OperatorRollingUpdateIT.maxAckGap(h, 1_000, 10_000));
    }

    @Test
    void onlyAcknowledgementsCount() {
        List<Op> h = List.of(ack(1_000), new Op(2_000, "a", Op.INVOKE, Checker.WRITE, Map.of()), ack(3_000));
        assertEquals(2_000, OperatorRollingUpdateIT.maxAckGap(h, 1_000, 3_000));
    }
}
