package dev.relocator.docker.events;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded FIFO of keys with at most one pending value per key: a new value for a key
 * already waiting replaces the old one and keeps its place. Bounded by distinct keys, so a
 * storm of events for one container costs one slot. When full, {@link #offer} refuses and
 * the caller falls back to a full resync (events are hints; losing one is repaired by
 * re-reading the truth).
 */
public final class CoalescingQueue<K, V> {

    private final int capacity;
    private final LinkedHashMap<K, V> pending = new LinkedHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();

    public CoalescingQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("queue capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    public enum Offer { ADDED, COALESCED, REJECTED }

    /** Never blocks: the event stream's reader must not wait on the consumer. */
    public Offer offer(K key, V value) {
        return put(key, value, false);
    }

    /** Like {@link #offer} but ignores the bound; for the one resync key, which must always fit. */
    public Offer force(K key, V value) {
        return put(key, value, true);
    }

    private Offer put(K key, V value, boolean ignoreCapacity) {
        lock.lock();
        try {
            if (pending.containsKey(key)) {
                pending.put(key, value);
                return Offer.COALESCED;
            }
            if (!ignoreCapacity && pending.size() >= capacity) {
                return Offer.REJECTED;
            }
            pending.put(key, value);
            notEmpty.signal();
            return Offer.ADDED;
        } finally {
            lock.unlock();
        }
    }

    /** Removes the oldest key and its latest value, waiting at most {@code timeout}. */
    public Optional<Map.Entry<K, V>> poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (pending.isEmpty()) {
                if (nanos <= 0) {
                    return Optional.empty();
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            Iterator<Map.Entry<K, V>> it = pending.entrySet().iterator();
            Map.Entry<K, V> head = it.next();
            it.remove();
            return Optional.of(new java.util.AbstractMap.SimpleImmutableEntry<>(head.getKey(), head.getValue()));
        } finally {
            lock.unlock();
        }
    }

    public int size() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    public int capacity() {
        return capacity;
    }
}
