package dev.relocator.docker.events;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Remembers how far the event stream has been read, so a reconnect resumes without a gap.
 *
 * <p>The daemon stamps events before publishing them from concurrent goroutines, so within a
 * live stream a later event can carry a slightly earlier time. Resuming exactly at the
 * newest time seen could therefore skip an event stamped just before it that had not been
 * delivered yet. The tracker resumes a small overlap window earlier and drops the replayed
 * events it has already seen, identified by kind, id, action and time. The daemon's
 * {@code since} is inclusive, which the overlap also absorbs.
 */
public final class SinceTracker {

    private static final int MAX_REMEMBERED = 4096;

    private final long overlapNanos;
    private long newestNanos = Long.MIN_VALUE;
    private final ArrayDeque<Seen> recent = new ArrayDeque<>();
    private final Set<String> recentIds = new HashSet<>();

    private record Seen(long timeNano, String identity) {
    }

    public SinceTracker(long overlapNanos) {
        if (overlapNanos < 0) {
            throw new IllegalArgumentException("overlap must not be negative");
        }
        this.overlapNanos = overlapNanos;
    }

    /**
     * Records where a new stream starts reading (the daemon's clock when it was opened), so
     * that a stream that sees no event still has a resume position.
     */
    public synchronized void streamOpenedAt(long daemonNanos) {
        if (daemonNanos > newestNanos) {
            newestNanos = daemonNanos;
            prune();
        }
    }

    /** Returns false for an event already seen (a replay after a reconnect). */
    public synchronized boolean accept(DockerEvent event) {
        String identity = event.identity();
        if (recentIds.contains(identity)) {
            return false;
        }
        if (event.timeNano() >= horizon()) {
            recent.addLast(new Seen(event.timeNano(), identity));
            recentIds.add(identity);
        }
        if (event.timeNano() > newestNanos) {
            newestNanos = event.timeNano();
        }
        prune();
        return true;
    }

    /** The {@code since} argument for the next subscription, empty before anything was read. */
    public synchronized Optional<String> since() {
        if (newestNanos == Long.MIN_VALUE) {
            return Optional.empty();
        }
        return Optional.of(format(Math.max(0, newestNanos - overlapNanos)));
    }

    public synchronized long newestNanos() {
        return newestNanos;
    }

    /** Docker's {@code since} accepts {@code seconds.nanoseconds}. */
    static String format(long nanos) {
        return String.format("%d.%09d", nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }

    /** Events older than this are never replayed by a resume, so their identities can go. */
    private long horizon() {
        return newestNanos == Long.MIN_VALUE ? Long.MIN_VALUE : newestNanos - overlapNanos;
    }

    private void prune() {
        long horizon = horizon();
        // events arrive nearly in time order, so the oldest are at the head; an occasional
        // out-of-order straggler stays a little longer, which only costs memory
        while (!recent.isEmpty() && (recent.peekFirst().timeNano() < horizon || recent.size() > MAX_REMEMBERED)) {
            recentIds.remove(recent.removeFirst().identity());
        }
    }
}
