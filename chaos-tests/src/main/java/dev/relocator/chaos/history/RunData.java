package dev.relocator.chaos.history;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything the checker needs about one run, as stored on disk:
 * {@code history.jsonl} (nemesis, harness and client ops, the acks imported as client ops) and
 * {@code volume.jsonl} (the final content of the relocatable volume as the last writer saw it).
 * A missing volume file means the final content could not be read: D1 is then unknown.
 */
public record RunData(Path dir, List<Op> history, Optional<List<WriteRecord>> volume, int tornVolumeLines) {

    public static final String HISTORY_FILE = "history.jsonl";
    public static final String VOLUME_FILE = "volume.jsonl";

    public static RunData load(Path dir) {
        Path h = dir.resolve(HISTORY_FILE);
        if (!Files.isRegularFile(h)) {
            throw new IllegalArgumentException("no " + HISTORY_FILE + " in " + dir
                    + ": pass a run directory written by a chaos scenario (chaos-tests/target/chaos-runs/<scenario>/run-<n>)");
        }
        List<Op> ops = History.read(h);
        Path v = dir.resolve(VOLUME_FILE);
        if (!Files.isRegularFile(v)) {
            return new RunData(dir, ops, Optional.empty(), 0);
        }
        try {
            Parsed p = parseVolume(Files.readString(v, StandardCharsets.UTF_8));
            return new RunData(dir, ops, Optional.of(p.records), p.torn);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + v, e);
        }
    }

    public record Parsed(List<WriteRecord> records, int torn) {
    }

    /**
     * Parses the writer's file. Lines that are not whole records (a writer killed in the middle of
     * an append) are counted, not fatal: they are unknown writes, never acknowledged ones.
     */
    public static Parsed parseVolume(String content) {
        List<WriteRecord> records = new ArrayList<>();
        int torn = 0;
        for (String line : content.split("\n")) {
            String s = line.strip();
            if (s.isEmpty()) {
                continue;
            }
            try {
                JsonNode n = History.JSON.readTree(s);
                if (n == null || !n.hasNonNull("writer") || !n.hasNonNull("seq") || !n.hasNonNull("time")) {
                    torn++;
                    continue;
                }
                records.add(new WriteRecord(n.get("writer").asText(), n.path("container").asText(""),
                        n.path("node").asText(""), n.get("seq").asLong(), n.get("time").asLong()));
            } catch (IOException e) {
                torn++;
            }
        }
        return new Parsed(records, torn);
    }
}
