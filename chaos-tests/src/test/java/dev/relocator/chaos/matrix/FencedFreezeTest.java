package dev.relocator.chaos.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relocator.chaos.checker.Checker;
import dev.relocator.chaos.history.History;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import dev.relocator.chaos.history.WriteRecord;
import dev.relocator.chaos.operator.FenceWebhook;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The freeze-with-fence-hook claim on hand-written runs: it holds on the good one and names each way it can fail. */
class FencedFreezeTest {

    @TempDir
    Path tmp;

    private static String rec(long t, String writer, String node, int seq) {
        return "{\"writer\":\"" + writer + "\",\"node\":\"" + node + "\",\"seq\":" + seq + ",\"time\":" + t + "}\n";
    }

    private static Op phase(long t, String phase, String node, String evidence) {
        return new Op(t, "operator", Op.INFO, "phase", Map.of("phase", phase, "node", node,
                "details", "{\"reason\":\"x\",\"evidence\":\"" + evidence + "\"}"));
    }

    /**
     * w1 frozen at 2 000; the hook is called at 5 000 and w1 is off at 5 300; Detaching e1 by
     * {@code evidence}; Starting e2 at 6 000; the new writer B on w2 from {@code bFirst}; the frozen
     * writer A's records at {@code aTimes} (in file order after B's first record when {@code aAfterB}).
     */
    private Path run(String name, String evidence, int answer, long offAt, long bFirst, boolean aAfterB) throws Exception {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        try (History h = new History(dir.resolve(RunData.HISTORY_FILE))) {
            h.append(new Op(1_000, Op.HARNESS, Op.INFO, "run", Map.of("nodes", List.of("m1", "w1", "w2"))));
            h.append(new Op(2_000, Op.NEMESIS, Op.INVOKE, "freeze", Map.of("node", "w1", "expectRelocation", true)));
            h.append(new Op(2_001, Op.NEMESIS, Op.OK, "freeze", Map.of("node", "w1", "expectRelocation", true)));
            h.append(phase(5_000, "Fencing e1", "w1", "NONE"));
            h.append(phase(5_400, "Detaching e1", "w1", evidence));
            h.append(phase(6_000, "Starting e2", "w2", evidence));
            h.append(new Op(9_000, Op.HARNESS, Op.INFO, FencedFreeze.CALL,
                    FencedFreeze.entry(new FenceWebhook.Call("/fence/confirm", "w1", "v", 5_000, answer, answer == 200 ? offAt : 0))));
            h.append(new Op(10_000, Op.NEMESIS, Op.INVOKE, Checker.HEAL, Map.of("fault", "freeze", "node", "w1")));
            h.append(new Op(12_000, Op.NEMESIS, Op.OK, Checker.HEAL, Map.of("fault", "freeze", "node", "w1")));
        }
        String a = rec(1_600, "A", "w1", 1) + rec(1_800, "A", "w1", 2);
        String b = rec(bFirst, "B", "w2", 1) + rec(bFirst + 200, "B", "w2", 2);
        Files.writeString(dir.resolve(RunData.VOLUME_FILE), aAfterB ? b + rec(1_990, "A", "w1", 3) : a + b);
        return dir;
    }

    @Test
    void holdsWhenTheHookPoweredTheNodeOffBeforeTheNewWriterStarted() throws Exception {
        assertEquals(List.of(), FencedFreeze.violations(RunData.load(run("good", "EXTERNAL_FENCE", 200, 5_300, 6_500, false)), "w1"));
    }

    /** A run that differs from the good one in one way: exactly one violation names it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "lease evidence instead of the hook's | LEASE_EXPIRED  | 200 | 5300 | false | by EXTERNAL_FENCE (the strict hook), seen [LEASE_EXPIRED]",
        "the hook failed                      | EXTERNAL_FENCE | 500 | 0    | false | power w1 off",
        "the replacement before the power-off | EXTERNAL_FENCE | 200 | 7000 | false | before w1 was off",
        "the frozen writer after its successor | EXTERNAL_FENCE | 200 | 5300 | true  | appended after its replacement"})
    void eachWayTheClaimCanFailIsNamed(String name, String evidence, int answer, long offAt, boolean aAfterB, String what) throws Exception {
        List<String> v = FencedFreeze.violations(RunData.load(run(name.replace(' ', '-'), evidence, answer, offAt, 6_500, aAfterB)), "w1");
        assertEquals(1, v.stream().filter(s -> s.contains(what)).count(), v.toString());
    }

    @Test
    void theFrozenWriterWritingAfterTheNewEpochIsAViolation() throws Exception {
        Path dir = run("late", "EXTERNAL_FENCE", 200, 5_300, 6_500, false);
        // a record of A stamped after Starting e2 arrived (6 000), still before B in the file
        Files.writeString(dir.resolve(RunData.VOLUME_FILE), rec(1_600, "A", "w1", 1) + rec(6_200, "A", "w1", 2)
                + rec(6_500, "B", "w2", 1));
        List<String> v = FencedFreeze.violations(RunData.load(dir), "w1");
        assertTrue(v.stream().anyMatch(s -> s.contains("after Starting e2")), v.toString());
        assertFalse(v.stream().anyMatch(s -> s.contains("appended after")), v.toString());
    }

    @Test
    void theAdoptedWriterMustHaveWrittenSinceTheAdoption() {
        List<WriteRecord> before = List.of(new WriteRecord("A", "c", "w1", 1, 900), new WriteRecord("A", "c", "w1", 2, 1_100));
        assertFalse(MatrixScenario.adoptedWriterWrote(List.of(), 1_000));
        assertFalse(MatrixScenario.adoptedWriterWrote(before, 1_000), "two records are not enough");
        List<WriteRecord> old = List.of(new WriteRecord("A", "c", "w1", 1, 100), new WriteRecord("A", "c", "w1", 2, 300),
                new WriteRecord("A", "c", "w1", 3, 500), new WriteRecord("A", "c", "w1", 4, 700));
        assertFalse(MatrixScenario.adoptedWriterWrote(old, 1_000), "the writer before the adoption");
        List<WriteRecord> adopted = new java.util.ArrayList<>(old);
        for (int i = 1; i <= 4; i++) {
            adopted.add(new WriteRecord("B", "d", "w2", i, 800 + 200L * i));
        }
        assertTrue(MatrixScenario.adoptedWriterWrote(adopted, 1_000));
    }
}
