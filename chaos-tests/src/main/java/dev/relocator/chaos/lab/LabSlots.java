package dev.relocator.chaos.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A machine-wide limit on labs running at once, across JVMs and checkouts: a lab takes one of
 * {@code RELOCATOR_LAB_SLOTS} (default 2) file locks for its lifetime. A lab is several Docker
 * engines with an operator JVM each; on a 2-core machine three or four labs at once pushed the
 * load average past 90, and a lease of seconds means nothing then: timing failures that say
 * nothing about the product. CI runs one lab at a time and never waits here.
 */
final class LabSlots {

    private static final Logger LOG = LoggerFactory.getLogger(LabSlots.class);
    static final Path DIR = Path.of(System.getProperty("relocator.lab.slots.dir", "/var/tmp/relocator-lab/slots"));
    static final Duration MAX_WAIT = Duration.ofMinutes(Long.getLong("relocator.lab.slots.waitMinutes", 60));

    private LabSlots() {
    }

    static int slots() {
        String v = System.getenv("RELOCATOR_LAB_SLOTS");
        try {
            return v == null || v.isBlank() ? 2 : Math.max(1, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            throw new LabException("RELOCATOR_LAB_SLOTS='" + v + "' is not a whole number (how many labs may run at once)");
        }
    }

    /** Takes a free slot, waiting up to {@link #MAX_WAIT}; the lock is released when the channel closes (or the JVM dies). */
    static FileChannel acquire(String runId) {
        int n = slots();
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        boolean told = false;
        try {
            Files.createDirectories(DIR);
            while (true) {
                for (int i = 0; i < n; i++) {
                    FileChannel ch = FileChannel.open(DIR.resolve("slot-" + i + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock;
                    try {
                        lock = ch.tryLock();
                    } catch (OverlappingFileLockException e) {
                        lock = null; // this JVM holds it for another lab
                    }
                    if (lock != null) {
                        if (told) {
                            LOG.info("lab {} got slot {} of {}", runId, i, n);
                        }
                        return ch;
                    }
                    ch.close();
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new LabException("no lab slot free after " + MAX_WAIT.toMinutes() + " min: " + n + " labs run on this machine"
                            + " (RELOCATOR_LAB_SLOTS); wait for them or raise the limit");
                }
                if (!told) {
                    LOG.info("lab {} waits for one of {} lab slots ({}): other labs run on this machine", runId, n, DIR);
                    told = true;
                }
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
                if (Thread.interrupted()) {
                    throw new LabException("interrupted while waiting for a lab slot");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use the lab slot files in " + DIR, e);
        }
    }
}
