package dev.relocator.store;

import dev.relocator.store.VersionedResourceStore.Snapshot;
import dev.relocator.store.VersionedResourceStore.Versioned;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Turns successive snapshots of one kind into watch events. Events are derived by diffing what
 * the store holds, not pushed by writers: another operator instance (or a labelled service
 * changed with {@code docker service update}) changes Swarm without telling this one, and a diff
 * sees both. Local writes only make the next diff happen at once; a {@link #hint()} (a Docker
 * config or service event) makes one happen soon. The timer re-reads every {@code resync} while
 * someone watches: with hints it is only the repair of a lost event, without them the poll.
 */
final class WatchHub implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(WatchHub.class);
    private static final int RECENT_PER_OBJECT = 32;
    /** Events of one change come in bursts (a service update is several): one re-read for the burst. */
    static final Duration HINT_DELAY = Duration.ofMillis(100);

    private final ResourceKind kind;
    private final Supplier<Snapshot> source;
    private final ScheduledExecutorService timer;
    private final long hintDelayMillis;
    private static final long RETRY_MILLIS = 1000;
    /** A hinted re-read is queued and has not started: further hints ride on it. */
    private final AtomicBoolean hinted = new AtomicBoolean();
    private final List<Consumer<WatchEvent>> sinks = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<WatchEvent>> recent = new HashMap<>();
    private Snapshot last;

    WatchHub(ResourceKind kind, Supplier<Snapshot> source, Duration resync) {
        this(kind, source, resync, HINT_DELAY);
    }

    WatchHub(ResourceKind kind, Supplier<Snapshot> source, Duration resync, Duration hintDelay) {
        this.kind = kind;
        this.source = source;
        this.hintDelayMillis = Math.max(0, hintDelay.toMillis());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relocator-watch-" + kind.plural());
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(10, resync.toMillis());
        timer.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * A local write happened: diff now, in the writer's thread, so that each local write becomes
     * its own event (a later tick could only see the result of several writes together).
     */
    void changed() {
        pollQuietly();
    }

    /**
     * Something in Swarm may have changed (an event from the Docker event stream): re-read after
     * {@link #HINT_DELAY}, on the timer thread, if anyone watches. Never blocks the caller (the
     * event dispatcher). The flag is cleared before the re-read starts, so a hint that arrives
     * during a re-read queues another one: no change is left for the resync to find.
     */
    void hint() {
        hint(hintDelayMillis);
    }

    private void hint(long delayMillis) {
        if (!hinted.compareAndSet(false, true)) {
            return;
        }
        try {
            timer.schedule(() -> {
                hinted.set(false);
                if (!tick()) {
                    // the change is still unseen: retry as the 1 s poll did, not a resync later
                    hint(RETRY_MILLIS);
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            hinted.set(false); // closed
        }
    }

    synchronized List<WatchEvent> recent(String name) {
        poll();
        return List.copyOf(recent.getOrDefault(name, new ArrayDeque<>()));
    }

    /** Replays what changed after {@code from} (everything as ADDED when null), then follows live. */
    synchronized AutoCloseable subscribe(Long from, Consumer<WatchEvent> sink) {
        poll();
        List<WatchEvent> initial = new ArrayList<>();
        for (Versioned v : last.objects().values()) {
            if (from == null) {
                initial.add(new WatchEvent(WatchEvent.Type.ADDED, v.object().deepCopy(), v.version()));
            } else if (v.version() > from) {
                // a resume cannot tell "created since" from "changed since" for a pruned history: MODIFIED,
                // which informers treat as an upsert anyway
                initial.add(new WatchEvent(WatchEvent.Type.MODIFIED, v.object().deepCopy(), v.version()));
            }
        }
        if (from != null) {
            for (Versioned v : last.tombstones().values()) {
                if (v.version() > from) {
                    initial.add(new WatchEvent(WatchEvent.Type.DELETED, v.object().deepCopy(), v.version()));
                }
            }
        }
        initial.sort(Comparator.comparingLong(WatchEvent::resourceVersion));
        initial.forEach(sink);
        sinks.add(sink);
        return () -> sinks.remove(sink);
    }

    /** Swarm is re-read on a timer or a hint only while someone watches; reads and local writes diff on demand. */
    private boolean tick() {
        return sinks.isEmpty() || pollQuietly();
    }

    private boolean pollQuietly() {
        try {
            synchronized (this) {
                poll();
            }
            return true;
        } catch (RuntimeException e) {
            // retried; a watch only lags, it does not miss (the diff is level-based)
            LOG.debugf(e, "watch poll of %s failed", kind.plural());
            return false;
        }
    }

    private void poll() {
        Snapshot now = source.get();
        if (last == null) {
            last = now;
            return;
        }
        List<WatchEvent> events = new ArrayList<>();
        for (Map.Entry<String, Versioned> e : now.objects().entrySet()) {
            Versioned before = last.objects().get(e.getKey());
            if (before == null) {
                events.add(new WatchEvent(WatchEvent.Type.ADDED, e.getValue().object(), e.getValue().version()));
            } else if (before.version() != e.getValue().version() || !before.object().equals(e.getValue().object())) {
                events.add(new WatchEvent(WatchEvent.Type.MODIFIED, e.getValue().object(), e.getValue().version()));
            }
        }
        for (Map.Entry<String, Versioned> e : last.objects().entrySet()) {
            if (!now.objects().containsKey(e.getKey())) {
                Versioned tomb = now.tombstones().get(e.getKey());
                // a labelled service that went away leaves no tombstone: its last version must still order after it
                long version = tomb != null ? tomb.version() : Math.max(now.maxVersion(), e.getValue().version());
                events.add(new WatchEvent(WatchEvent.Type.DELETED, tomb != null ? tomb.object() : e.getValue().object(), version));
            }
        }
        last = now;
        events.sort(Comparator.comparingLong(WatchEvent::resourceVersion));
        for (WatchEvent ev : events) {
            String name = ev.object().path("metadata").path("name").asText();
            Deque<WatchEvent> q = recent.computeIfAbsent(name, n -> new ArrayDeque<>());
            q.addLast(ev);
            while (q.size() > RECENT_PER_OBJECT) {
                q.removeFirst();
            }
            for (Consumer<WatchEvent> s : sinks) {
                try {
                    s.accept(new WatchEvent(ev.type(), ev.object().deepCopy(), ev.resourceVersion()));
                } catch (RuntimeException ex) {
                    sinks.remove(s); // a watcher that cannot take events has gone away
                }
            }
        }
        if (recent.size() > 10_000) {
            recent.keySet().retainAll(now.objects().keySet());
        }
    }

    @Override
    public void close() {
        timer.shutdown();
        sinks.clear();
    }
}
