package dev.relocator.chaos.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relocator.chaos.checker.Checker;
import dev.relocator.chaos.history.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TakeoverTest {

    private final List<Op> h = new ArrayList<>();

    private void write(String writer, String node, long seq, long time, boolean acked) {
        Map<String, Object> v = Map.of("seq", seq, "node", node, "time", time);
        h.add(new Op(time, writer, Op.INVOKE, Checker.WRITE, v));
        h.add(new Op(time + 5, writer, acked ? Op.OK : Op.INFO, Checker.WRITE, v));
    }

    @Test
    void theFirstAcknowledgedWriteOfAnotherWriterAfterTheFault() {
        write("a", "w1", 1, 1_000, true);
        write("a", "w1", 2, 1_200, true);
        h.add(new Op(1_300, Op.NEMESIS, Op.INVOKE, "crash", Map.of("node", "w1")));
        // the new writer's first append is not acknowledged (its effect unknown): it does not count
        write("b", "w2", 1, 7_000, false);
        write("b", "w2", 2, 7_200, true);
        long fault = Takeover.faultTime(h, "crash").orElseThrow();
        Takeover t = Takeover.find(h, fault).orElseThrow();
        assertEquals(1_300, fault);
        assertEquals("a", t.oldWriter());
        assertEquals("w1", t.oldNode());
        assertEquals("b", t.newWriter());
        assertEquals("w2", t.newNode());
        assertEquals(7_205 - 1_300, t.millis());
    }

    @Test
    void theOldWriterGoingOnIsNoTakeover() {
        write("a", "w1", 1, 1_000, true);
        h.add(new Op(1_300, Op.NEMESIS, Op.INVOKE, "partition", Map.of("node", "w1")));
        write("a", "w1", 2, 1_500, true);
        write("a", "w1", 3, 9_500, true);
        assertTrue(Takeover.find(h, 1_300).isEmpty());
        // a second writer while the first still writes (plain Swarm after a partition) is a takeover all the same
        write("b", "w2", 1, 17_000, true);
        assertEquals(17_005 - 1_300, Takeover.find(h, 1_300).orElseThrow().millis());
    }

    @Test
    void nothingBeforeTheFaultNoAnswer() {
        write("b", "w2", 1, 7_000, true);
        assertTrue(Takeover.find(h, 1_300).isEmpty());
        assertTrue(Takeover.faultTime(h, "crash").isEmpty());
    }
    @Test
    void aSecondProcessOnTheFaultedNodeIsNoTakeoverWhenTheNodeIsNamed() {
        write("a", "w2", 1, 1_000, true);
        h.add(new Op(1_300, Op.NEMESIS, Op.INVOKE, "crash", Map.of("node", "w2")));
        write("a2", "w2", 1, 1_301, true); // a restart in place racing the crash
        write("b", "w1", 1, 5_600, true);
        assertEquals("w2", Takeover.find(h, 1_300).orElseThrow().newNode(), "without the node: the racing process counts");
        Takeover t = Takeover.find(h, 1_300, "w2").orElseThrow();
        assertEquals("w1", t.newNode());
        assertEquals(5_605 - 1_300, t.millis());
    }
}
