package dev.relocator.app;

import dev.relocator.core.ports.LeaseFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The lease file as plain {@code key=value} lines, so the fencing wrapper in a workload's
 * entrypoint can read it with nothing but a POSIX shell:
 * <pre>
 * deadline_uptime_ms=123456789      # CLOCK_BOOTTIME of the host, milliseconds
 * allowed=pgdata:7,cache:2          # volume:epoch that may run here now
 * seen=pgdata:42,cache:17           # volume:highest controller revision seen
 * </pre>
 * Written atomically (temp file, fsync, rename). The deadline is converted from the agent's
 * monotonic clock to the host's uptime clock at write time and back at read time; only a
 * difference crosses the boundary.
 */
public final class FileLeaseFile implements LeaseFile {

    private final Path path;
    private final LongSupplier uptimeMillis;

    public FileLeaseFile(Path path) {
        this(path, FileLeaseFile::procUptimeMillis);
    }

    FileLeaseFile(Path path, LongSupplier uptimeMillis) {
        this.path = path;
        this.uptimeMillis = uptimeMillis;
    }

    static long procUptimeMillis() {
        try {
            String first = Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0];
            return Math.round(Double.parseDouble(first) * 1000);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read /proc/uptime, which the lease file's deadline is expressed in", e);
        }
    }

    @Override
    public void write(Content content, long nowNanos) {
        long uptimeNow = uptimeMillis.getAsLong();
        long deadlineUptime = content.deadlineNanos() == 0 ? 0
                : uptimeNow + Math.floorDiv(content.deadlineNanos() - nowNanos, 1_000_000L);
        String text = "deadline_uptime_ms=" + Math.max(0, deadlineUptime) + "\n"
                + "allowed=" + join(content.allowed()) + "\n"
                + "seen=" + join(content.seenRevisions()) + "\n";
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(StandardCharsets.UTF_8.encode(text));
                ch.force(true);
            }
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IllegalStateException("the lease file directory " + path.getParent() + " does not support atomic rename", e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the lease file " + path, e);
        }
    }

    @Override
    public Optional<Content> read(long nowNanos) {
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        Map<String, String> kv = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    kv.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the lease file " + path, e);
        }
        try {
            long deadlineUptime = Long.parseLong(kv.getOrDefault("deadline_uptime_ms", "0"));
            long deadlineNanos = deadlineUptime == 0 ? 0 : nowNanos + (deadlineUptime - uptimeMillis.getAsLong()) * 1_000_000L;
            return Optional.of(new Content(deadlineNanos, split(kv.getOrDefault("allowed", "")), split(kv.getOrDefault("seen", ""))));
        } catch (RuntimeException e) {
            // a damaged file grants nothing: the agent starts with no lease, as after a first boot
            return Optional.empty();
        }
    }

    private static String join(Map<String, Long> m) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(m).forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ",").append(k).append(':').append(v));
        return sb.toString();
    }

    private static Map<String, Long> split(String s) {
        Map<String, Long> out = new TreeMap<>();
        if (s.isBlank()) {
            return out;
        }
        for (String part : s.split(",")) {
            int colon = part.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("bad lease entry '" + part + "'");
            }
            out.put(part.substring(0, colon), Long.parseLong(part.substring(colon + 1)));
        }
        return out;
    }
}
