package dev.relocator.chaos.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Append-only, timestamped history persisted as JSON lines. Every op is flushed as it is
 * appended, so a run that dies half way still leaves a history that can be checked.
 */
public final class History implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final BufferedWriter out;
    private final LongSupplier clock;
    private final List<Op> ops = new ArrayList<>();

    public History(Path file) {
        this(file, System::currentTimeMillis);
    }

    public History(Path file, LongSupplier clock) {
        this.file = file;
        this.clock = clock;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create history file " + file, e);
        }
    }

    public Path file() {
        return file;
    }

    public Op append(String process, String type, String f, Map<String, Object> value) {
        return append(new Op(clock.getAsLong(), process, type, f, value));
    }

    public synchronized Op append(Op op) {
        try {
            out.write(JSON.writeValueAsString(op));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to history " + file, e);
        }
        ops.add(op);
        return op;
    }

    public synchronized List<Op> ops() {
        return Collections.unmodifiableList(new ArrayList<>(ops));
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close history " + file, e);
        }
    }

    /** Reads a stored history; a torn last line (the run was killed mid-write) is ignored. */
    public static List<Op> read(Path file) {
        List<Op> result = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read history " + file + ": pass the run directory written by a chaos scenario", e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                result.add(JSON.readValue(line, Op.class));
            } catch (IOException e) {
                if (i == lines.size() - 1) {
                    break;
                }
                throw new IllegalArgumentException("history " + file + " line " + (i + 1) + " is not an op: " + line, e);
            }
        }
        return result;
    }
}
