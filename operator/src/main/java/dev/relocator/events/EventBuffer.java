package dev.relocator.events;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

import dev.relocator.core.events.StateChange;

/**
 * The publisher's bounded buffer: per key, an ordered queue of state changes and at most
 * one change in flight (sent, not yet acknowledged), so a key's changes reach Kafka in the
 * order they were published even across failed sends and retries.
 *
 * <p>Bound: at most {@code capacity} transitions (queued plus in flight). When a new change
 * would exceed it, the key with the most queued transitions — usually the one flapping while
 * Kafka is down — has its queue replaced by a single resync snapshot carrying its latest
 * state and how many transitions it stands for; if no key has two or more queued, the new
 * change's own key is collapsed. Snapshots are not transitions: there is at most one queued
 * per key, so memory is bounded by {@code capacity} plus the number of keys, and no change is
 * ever dropped without a snapshot in its place.
 *
 * <p>Thread-safe (every method synchronized); the publisher calls it from any thread and
 * its sender thread.
 */
public final class EventBuffer {

    /**
     * One event to send. {@code id} and {@code sequence} are fixed when the change is offered, so
     * a retried send is a duplicate a consumer can recognise, never a new event.
     *
     * @param missed       for a snapshot, how many transitions of this key it replaces
     * @param replacedType for a snapshot, the type of the latest change it stands for
     */
    public record Entry(String id, StateChange change, long sequence, int missed, String replacedType) {

        public boolean snapshot() {
            return StateChange.Types.RESYNC_SNAPSHOT.equals(change.type());
        }

        public String key() {
            return change.key();
        }
    }

    private static final class KeyQueue {
        final Deque<Entry> queue = new ArrayDeque<>();
        Entry inFlight;
        // System.nanoTime() may be negative: "waiting" says whether retryAtNanos means anything
        boolean waiting;
        long retryAtNanos;
        int failures;

        boolean backingOff(long nowNanos) {
            return waiting && nowNanos - retryAtNanos < 0;
        }

        int queuedTransitions() {
            int n = 0;
            for (Entry e : queue) {
                if (!e.snapshot()) {
                    n++;
                }
            }
            return n;
        }
    }

    private final int capacity;
    private final Map<String, KeyQueue> keys = new LinkedHashMap<>();
    private final Map<String, Long> sequences = new HashMap<>();
    private int transitions;
    private int snapshots;
    private int inFlight;
    private long replacedBySnapshot;
    private long snapshotsCreated;

    public EventBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("relocator.events.buffer-size must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Takes a change; never blocks. Returns the entry it became (before any later collapse). */
    public synchronized Entry offer(StateChange change) {
        long sequence = sequences.merge(change.key(), 1L, Long::sum);
        Entry entry = new Entry(UUID.randomUUID().toString(), change, sequence, 0, null);
        KeyQueue own = keys.computeIfAbsent(change.key(), k -> new KeyQueue());
        if (transitions < capacity) {
            own.queue.addLast(entry);
            transitions++;
            return entry;
        }
        KeyQueue victim = null;
        int most = 1;
        for (KeyQueue q : keys.values()) {
            int n = q.queuedTransitions();
            if (n > most) {
                most = n;
                victim = q;
            }
        }
        if (victim != null && victim != own) {
            collapse(victim, null);
            own.queue.addLast(entry);
            transitions++;
        } else {
            collapse(own, entry);
        }
        return entry;
    }

    /**
     * The next entry to send: from the first key (round-robin) that has none in flight, is not
     * backing off, and has something queued. The entry becomes that key's in-flight entry.
     */
    public synchronized Entry next(long nowNanos) {
        Iterator<Map.Entry<String, KeyQueue>> it = keys.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, KeyQueue> e = it.next();
            KeyQueue q = e.getValue();
            if (q.inFlight != null || q.queue.isEmpty() || q.backingOff(nowNanos)) {
                continue;
            }
            q.waiting = false;
            q.inFlight = q.queue.pollFirst();
            inFlight++;
            // move the key to the end: one busy volume cannot starve the others
            it.remove();
            keys.put(e.getKey(), q);
            return q.inFlight;
        }
        return null;
    }

    /** The broker acknowledged the key's in-flight entry. */
    public synchronized void acked(Entry entry) {
        KeyQueue q = keys.get(entry.key());
        if (q == null || q.inFlight != entry) {
            return;
        }
        q.inFlight = null;
        q.failures = 0;
        inFlight--;
        if (entry.snapshot()) {
            snapshots--;
        } else {
            transitions--;
        }
        if (q.queue.isEmpty()) {
            keys.remove(entry.key());
        }
    }

    /**
     * The send failed: the entry goes back to the head of its key's queue and the key waits
     * until {@code retryAtNanos}. Returns how many consecutive failures the key has had.
     */
    public synchronized int failed(Entry entry, long retryAtNanos) {
        KeyQueue q = keys.get(entry.key());
        if (q == null || q.inFlight != entry) {
            return 0;
        }
        q.inFlight = null;
        inFlight--;
        q.queue.addFirst(entry);
        q.waiting = true;
        q.retryAtNanos = retryAtNanos;
        return ++q.failures;
    }

    /** The earliest time a backing-off key may send again, if any key waits with work queued. */
    public synchronized OptionalLong nextRetryAt(long nowNanos) {
        OptionalLong earliest = OptionalLong.empty();
        for (KeyQueue q : keys.values()) {
            if (q.inFlight == null && !q.queue.isEmpty() && q.backingOff(nowNanos)
                    && (earliest.isEmpty() || q.retryAtNanos - earliest.getAsLong() < 0)) {
                earliest = OptionalLong.of(q.retryAtNanos);
            }
        }
        return earliest;
    }

    /** Entries held: transitions and snapshots, queued or in flight. */
    public synchronized int size() {
        return transitions + snapshots;
    }

    public synchronized int transitions() {
        return transitions;
    }

    public synchronized int snapshots() {
        return snapshots;
    }

    public synchronized int inFlight() {
        return inFlight;
    }

    public int capacity() {
        return capacity;
    }

    /** Transitions replaced by a snapshot since start (each counted once). */
    public synchronized long replacedBySnapshot() {
        return replacedBySnapshot;
    }

    public synchronized long snapshotsCreated() {
        return snapshotsCreated;
    }

    /** What is queued for a key, in order, in-flight entry first (for tests and diagnostics). */
    public synchronized List<Entry> pending(String key) {
        KeyQueue q = keys.get(key);
        List<Entry> out = new ArrayList<>();
        if (q != null) {
            if (q.inFlight != null) {
                out.add(q.inFlight);
            }
            out.addAll(q.queue);
        }
        return out;
    }

    private void collapse(KeyQueue q, Entry incoming) {
        List<Entry> replaced = new ArrayList<>(q.queue);
        if (incoming != null) {
            replaced.add(incoming);
        }
        if (replaced.isEmpty()) {
            return;
        }
        int missed = 0;
        int queuedTransitions = 0;
        int queuedSnapshots = 0;
        for (Entry e : q.queue) {
            if (e.snapshot()) {
                queuedSnapshots++;
            } else {
                queuedTransitions++;
            }
        }
        for (Entry e : replaced) {
            missed += e.snapshot() ? e.missed() : 1;
        }
        Entry latest = replaced.get(replaced.size() - 1);
        String replacedType = latest.snapshot() ? latest.replacedType() : latest.change().type();
        StateChange c = latest.change();
        StateChange snapshotChange = new StateChange(StateChange.Types.RESYNC_SNAPSHOT, c.subject(), c.key(),
                c.epoch(), c.phase(), c.time(), c.data());
        Entry snapshot = new Entry(UUID.randomUUID().toString(), snapshotChange, latest.sequence(), missed,
                replacedType);
        q.queue.clear();
        q.queue.addLast(snapshot);
        transitions -= queuedTransitions;
        snapshots += 1 - queuedSnapshots;
        replacedBySnapshot += queuedTransitions + (incoming == null || incoming.snapshot() ? 0 : 1);
        snapshotsCreated++;
    }
}
