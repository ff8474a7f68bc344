package dev.relocator.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relocator.chaos.history.History;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecheckTest {

    private static void storeRun(Path dir, boolean twoWriters) throws Exception {
        try (History h = new History(dir.resolve(RunData.HISTORY_FILE))) {
            h.append(new Op(1_000, "A", Op.OK, Checker.WRITE, Map.of("seq", 1, "node", "w1", "time", 1_000)));
            h.append(new Op(1_400, "A", Op.OK, Checker.WRITE, Map.of("seq", 2, "node", "w1", "time", 1_400)));
        }
        String vol = "{\"writer\":\"A\",\"node\":\"w1\",\"seq\":1,\"time\":1000}\n"
                + (twoWriters ? "{\"writer\":\"B\",\"node\":\"w2\",\"seq\":1,\"time\":1200}\n" : "")
                + "{\"writer\":\"A\",\"node\":\"w1\",\"seq\":2,\"time\":1400}\n";
        Files.writeString(dir.resolve(RunData.VOLUME_FILE), vol);
    }

    @Test
    void storedRunsAreCheckedAgainWithAnExitCodePerVerdict(@TempDir Path root) throws Exception {
        Path good = Files.createDirectories(root.resolve("s/run-1"));
        Path bad = Files.createDirectories(root.resolve("s/run-2"));
        storeRun(good, false);
        storeRun(bad, true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(0, Recheck.run(new String[] {good.toString()}, ps, ps));
        assertEquals(1, Recheck.run(new String[] {root.toString()}, ps, ps));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("INVALID  " + bad), text);
    }

    @Test
    void badArgumentsAreRejected(@TempDir Path root) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(64, Recheck.run(new String[] {}, ps, ps));
        assertEquals(64, Recheck.run(new String[] {root.resolve("nope").toString()}, ps, ps));
        assertEquals(64, Recheck.run(new String[] {root.toString()}, ps, ps));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("history.jsonl"));
    }
}
