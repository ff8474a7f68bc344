package dev.relocator.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relocator.chaos.history.History;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import dev.relocator.chaos.history.WriteRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckerTest {

    private final Checker checker = Checker.defaults();

    /** A hand-written run: records appended to the volume, with the client ops the writer would log. */
    private static final class Run {
        final List<Op> history = new ArrayList<>();
        final List<WriteRecord> volume = new ArrayList<>();

        Run write(String writer, String node, long seq, long time) {
            return write(writer, node, seq, time, true, true);
        }

        Run write(String writer, String node, long seq, long time, boolean onVolume, boolean acked) {
            Map<String, Object> v = Map.of("seq", seq, "node", node, "container", "c-" + writer, "time", time);
            history.add(new Op(time, writer, Op.INVOKE, Checker.WRITE, v));
            if (onVolume) {
                volume.add(new WriteRecord(writer, "c-" + writer, node, seq, time));
            }
            if (acked) {
                history.add(new Op(time + 5, writer, Op.OK, Checker.WRITE, v));
            }
            return this;
        }

        Run fault(long time, String f, String node, boolean expectRelocation) {
            history.add(new Op(time, Op.NEMESIS, Op.INVOKE, f, Map.of("node", node, "expectRelocation", expectRelocation)));
            history.add(new Op(time + 1, Op.NEMESIS, Op.OK, f, Map.of("node", node, "expectRelocation", expectRelocation)));
            return this;
        }

        Run heal(long time, String f, String node) {
            history.add(new Op(time, Op.NEMESIS, Op.INVOKE, Checker.HEAL, Map.of("fault", f, "node", node)));
            history.add(new Op(time + 1, Op.NEMESIS, Op.OK, Checker.HEAL, Map.of("fault", f, "node", node)));
            return this;
        }

        Run end(long time) {
            history.add(new Op(time, Op.HARNESS, Op.INFO, "stopped", Map.of()));
            return this;
        }

        CheckResult check(Checker c) {
            return c.check(history, Optional.of(volume));
        }
    }

    private static Run steady(String writer, String node, long from, int count) {
        Run r = new Run();
        for (int i = 0; i < count; i++) {
            r.write(writer, node, i + 1, from + i * 200L);
        }
        return r;
    }

    @Test
    void singleWriterWithEveryAckOnTheVolumeIsValid() {
        CheckResult r = steady("A", "w1", 1_000, 20).end(6_000).check(checker);
        assertEquals(Verdict.VALID, r.verdict(), r.summary());
        assertEquals(0, r.doubleWriterViolations());
        assertEquals(0, r.lostWrites());
    }

    @Test
    void interleavedWritersAreFlaggedAsDoubleWriters() {
        Run r = new Run();
        r.write("A", "w1", 1, 1_000).write("A", "w1", 2, 1_200)
                .write("B", "w2", 1, 1_300).write("A", "w1", 3, 1_400).write("B", "w2", 2, 1_500);
        CheckResult c = r.check(checker);
        assertEquals(Verdict.INVALID, c.s1().verdict(), c.summary());
        assertEquals(1, c.doubleWriterViolations());
        assertTrue(c.overlaps().get(0).interleavedInFile());
    }

    @Test
    void writersOverlappingInTimeAreFlaggedEvenWhenTheirRecordsDoNotInterleave() {
        // B wrote elsewhere (its records never reached this volume) while A was still writing
        Run r = steady("A", "w1", 1_000, 10);
        r.write("B", "w2", 1, 1_500, false, true).write("B", "w2", 2, 1_700, false, true);
        CheckResult c = r.check(checker);
        assertEquals(Verdict.INVALID, c.s1().verdict(), c.summary());
        assertTrue(!c.overlaps().get(0).interleavedInFile());
    }

    @Test
    void writersOneAfterTheOtherAreNotConcurrent() {
        Run r = steady("A", "w1", 1_000, 5);
        r.write("B", "w2", 1, 20_000).write("B", "w2", 2, 20_200);
        CheckResult c = r.check(checker);
        assertEquals(Verdict.VALID, c.s1().verdict(), c.summary());
    }

    @Test
    void anAcknowledgedWriteMissingFromTheVolumeIsLost() {
        Run r = steady("A", "w1", 1_000, 5);
        r.write("A", "w1", 6, 2_000, false, true);
        CheckResult c = r.check(checker);
        assertEquals(Verdict.INVALID, c.d1().verdict(), c.summary());
        assertEquals(List.of("A#6"), c.lostKeys());
    }

    @Test
    void anUnacknowledgedWriteIsUnknownNotLost() {
        Run r = steady("A", "w1", 1_000, 5);
        r.write("A", "w1", 6, 2_000, false, false);
        CheckResult c = r.check(checker);
        assertEquals(Verdict.VALID, c.d1().verdict(), c.summary());
        assertEquals(1, c.unknownWrites());
    }

    @Test
    void withoutTheFinalVolumeLostWritesAreUnknown() {
        Run r = steady("A", "w1", 1_000, 5);
        CheckResult c = checker.check(r.history, Optional.empty());
        assertEquals(Verdict.UNKNOWN, c.d1().verdict());
        assertEquals(Verdict.UNKNOWN, c.verdict());
    }

    @Test
    void anEmptyRunIsUnknownNotValid() {
        CheckResult c = checker.check(List.of(), Optional.of(List.of()));
        assertEquals(Verdict.UNKNOWN, c.s1().verdict());
        assertEquals(Verdict.UNKNOWN, c.verdict());
    }

    @Test
    void recoveryIsFromTheFaultToTheFirstWriteOfTheNewWriter() {
        Run r = steady("A", "w1", 1_000, 5).fault(2_000, "crash", "w1", true);
        r.write("B", "w2", 1, 18_000).write("B", "w2", 2, 18_200).end(20_000);
        CheckResult c = r.check(checker);
        assertEquals(List.of(16.0), c.recoverySeconds());
        assertEquals(Verdict.VALID, c.l1().verdict(), c.summary());
        CheckResult strict = r.check(new Checker(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(30)));
        assertEquals(Verdict.INVALID, strict.l1().verdict(), strict.summary());
    }

    @Test
    void noNewWriterIsUnknownUntilTheBoundHasBeenObservedThenInvalid() {
        Run shortRun = steady("A", "w1", 1_000, 5).fault(2_000, "crash", "w1", true).end(7_000);
        assertEquals(Verdict.UNKNOWN, shortRun.check(checker).l1().verdict());
        Run longRun = steady("A", "w1", 1_000, 5).fault(2_000, "crash", "w1", true).end(70_000);
        assertEquals(Verdict.INVALID, longRun.check(checker).l1().verdict());
    }

    @Test
    void aNewWriterAfterTheNextFaultIsThatFaultsRecovery() {
        Run r = steady("A", "w1", 1_000, 50).fault(2_000, "blip", "w1", false).heal(3_000, "blip", "w1")
                .fault(8_000, "kill-workload", "w1", false);
        r.write("B", "w1", 1, 13_000).end(14_000);
        CheckResult c = r.check(checker);
        assertEquals(List.of(5.0), c.recoverySeconds(), c.summary());
        assertEquals(Verdict.VALID, c.l1().verdict(), c.summary());
    }

    @Test
    void aWriterThatKeepsWritingThroughAFaultNeedsNoRecovery() {
        Run r = steady("A", "w1", 1_000, 50).fault(2_000, "blip", "w1", false).heal(3_000, "blip", "w1");
        CheckResult c = r.check(checker);
        assertEquals(Verdict.VALID, c.verdict(), c.summary());
        assertTrue(c.recoverySeconds().isEmpty());
    }

    @Test
    void aMoveAfterABlipIsAFalseRelocation() {
        Run r = steady("A", "w1", 1_000, 5).fault(2_000, "blip", "w1", false).heal(4_000, "blip", "w1");
        r.write("B", "w2", 1, 9_000);
        CheckResult c = r.check(checker);
        assertEquals(Verdict.INVALID, c.l2().verdict(), c.summary());
        assertEquals(1, c.falseRelocations());
    }

    @Test
    void aRestartOnTheSameNodeIsNotARelocation() {
        Run r = steady("A", "w1", 1_000, 5).fault(2_000, "kill-workload", "w1", false);
        r.write("B", "w1", 1, 8_000);
        CheckResult c = r.check(checker);
        assertEquals(Verdict.VALID, c.l2().verdict(), c.summary());
        assertEquals(List.of(6.0), c.recoverySeconds());
    }

    @Test
    void aMoveLongAfterTheBlipHealedIsNotBlamedOnIt() {
        Run r = steady("A", "w1", 1_000, 5).fault(2_000, "blip", "w1", false).heal(3_000, "blip", "w1");
        r.write("B", "w2", 1, 3_000 + 31_000);
        assertEquals(Verdict.VALID, r.check(checker).l2().verdict());
    }

    @Test
    void aMoveAfterTheNextFaultIsBlamedOnThatFault() {
        Run r = steady("A", "w1", 1_000, 5).fault(2_000, "blip", "w1", false).heal(3_000, "blip", "w1")
                .fault(6_000, "crash", "w1", true);
        r.write("B", "w2", 1, 20_000);
        CheckResult c = r.check(checker);
        assertEquals(Verdict.VALID, c.l2().verdict(), c.summary());
        assertEquals(0, c.falseRelocations());
    }

    @Test
    void badBoundsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Checker(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    }

    @Test
    void aStoredRunIsCheckedAgainFromDiskWithATornLastLine(@TempDir Path dir) throws Exception {
        Run r = new Run();
        r.write("A", "w1", 1, 1_000).write("B", "w2", 1, 1_100).write("A", "w1", 2, 1_200);
        try (History h = new History(dir.resolve(RunData.HISTORY_FILE))) {
            r.history.forEach(h::append);
        }
        Files.writeString(dir.resolve(RunData.HISTORY_FILE), "{\"time\":12", java.nio.file.StandardOpenOption.APPEND);
        StringBuilder vol = new StringBuilder();
        for (WriteRecord w : r.volume) {
            vol.append(String.format("{\"writer\":\"%s\",\"container\":\"%s\",\"node\":\"%s\",\"seq\":%d,\"time\":%d}%n",
                    w.writer(), w.container(), w.node(), w.seq(), w.time()));
        }
        vol.append("{\"writer\":\"A\",\"cont");
        Files.writeString(dir.resolve(RunData.VOLUME_FILE), vol);
        RunData run = RunData.load(dir);
        assertEquals(1, run.tornVolumeLines());
        CheckResult c = checker.check(run);
        assertEquals(Verdict.INVALID, c.s1().verdict(), c.summary());
        assertEquals(Verdict.VALID, c.d1().verdict(), c.summary());
    }

    @Test
    void aDirectoryWithoutHistoryIsRejectedWithAHint(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunData.load(dir));
        assertTrue(e.getMessage().contains("chaos-runs"), e.getMessage());
    }
}
