package dev.relocator.docker.events;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Docker events in, coalesced hints and periodic full resyncs out.
 *
 * <p>Three threads, each with one job. The stream reader (docker-java's callback thread)
 * only decodes and hands off to a bounded {@link CoalescingQueue}: the daemon drops a
 * subscriber that does not read, so nothing slow may run there. The dispatcher runs the
 * {@link EventHandler}, one key at a time, resyncs included. The supervisor (re)opens the
 * stream, resuming with {@code since} from the {@link SinceTracker}, declares stalls with
 * the {@link StallDetector}, and schedules the full resync every {@code resyncPeriod}, after
 * every reconnect and after a queue overflow. A lost or stalled stream therefore leaves the
 * view wrong for at most one resync period: events only make the repair faster.
 */
public final class DockerEventSource implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DockerEventSource.class);

    /** The longest resync period accepted: the bound on how long a wrong view can survive. */
    public static final Duration MAX_RESYNC_PERIOD = Duration.ofSeconds(30);

    private static final String[] ACTIONS = DockerEvent.ACTIONS.values().stream()
            .flatMap(java.util.Set::stream).distinct().sorted().toArray(String[]::new);

    /**
     * @param resyncPeriod full re-read of the truth at least this often (at most 30 s)
     * @param stallTimeout no event and no successful ping for this long: re-open the stream
     * @param quietLimit   no event for this long: re-open anyway (cheap with {@code since})
     * @param pingInterval how often the event path is probed
     * @param maxBackoff   the longest wait between two failed connection attempts
     * @param queueCapacity distinct keys waiting for the dispatcher before a resync replaces them
     * @param overlap      how far before the newest event a reconnect resumes
     */
    public record Settings(Duration resyncPeriod, Duration stallTimeout, Duration quietLimit, Duration pingInterval,
                           Duration maxBackoff, int queueCapacity, Duration overlap) {
        public Settings {
            Objects.requireNonNull(resyncPeriod, "resyncPeriod");
            if (resyncPeriod.isZero() || resyncPeriod.isNegative() || resyncPeriod.compareTo(MAX_RESYNC_PERIOD) > 0) {
                throw new IllegalArgumentException("relocator.watch.resync-period must be between 0 and "
                        + MAX_RESYNC_PERIOD.toSeconds() + " s (it bounds how long a lost event can leave the view wrong), got " + resyncPeriod);
            }
            if (pingInterval.isZero() || pingInterval.isNegative() || pingInterval.compareTo(stallTimeout) >= 0) {
                throw new IllegalArgumentException("relocator.watch.ping-interval must be positive and shorter than the stall timeout "
                        + stallTimeout + ", got " + pingInterval);
            }
            if (maxBackoff.isZero() || maxBackoff.isNegative()) {
                throw new IllegalArgumentException("relocator.watch.max-backoff must be positive, got " + maxBackoff);
            }
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("relocator.watch.queue-capacity must be at least 1, got " + queueCapacity);
            }
            if (overlap.isNegative()) {
                throw new IllegalArgumentException("relocator.watch.overlap must not be negative, got " + overlap);
            }
        }

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMinutes(5),
                    Duration.ofSeconds(3), Duration.ofSeconds(5), 1024, Duration.ofSeconds(1));
        }

        public Settings withResyncPeriod(Duration period) {
            return new Settings(period, stallTimeout, quietLimit, pingInterval, maxBackoff, queueCapacity, overlap);
        }

        public Settings withStall(Duration stall, Duration ping) {
            return new Settings(resyncPeriod, stall, quietLimit.compareTo(stall) < 0 ? stall : quietLimit, ping, maxBackoff, queueCapacity, overlap);
        }

        public Settings withMaxBackoff(Duration backoff) {
            return new Settings(resyncPeriod, stallTimeout, quietLimit, pingInterval, backoff, queueCapacity, overlap);
        }

        public Settings withQueueCapacity(int capacity) {
            return new Settings(resyncPeriod, stallTimeout, quietLimit, pingInterval, maxBackoff, capacity, overlap);
        }
    }

    private static final long TICK_MILLIS = 200;
    private static final long RESYNC_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final DockerClient eventClient;
    private final DockerClient probeClient;
    private final Settings settings;
    private final EventHandler handler;
    private final CoalescingQueue<ObjectRef, DockerEvent> queue;
    private final SinceTracker since;
    private final StallDetector stall;

    private final AtomicLong generation = new AtomicLong();
    private volatile Stream stream;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean closed;
    private volatile boolean synced;
    private volatile boolean resyncRequested;
    private volatile long lastResyncStart;
    private volatile long resyncRetryAt;
    private volatile long lastTick;
    private volatile long lastDispatch;
    private long nextConnectAt;
    private String pendingCause = "initial";
    private long nextPingAt;
    private Duration backoff;

    private final ScheduledExecutorService supervisor;
    private final Thread dispatcher;

    private final Map<ObjectKind, Counter> received = new EnumMap<>(ObjectKind.class);
    private final Counter duplicates;
    private final Counter overflows;
    private final Counter handlerErrors;
    private final Map<String, Counter> reconnects = new java.util.concurrent.ConcurrentHashMap<>();
    private final Counter resyncOk;
    private final Counter resyncFailed;
    private final MeterRegistry registry;
    private final AtomicLong connects = new AtomicLong();

    /**
     * @param eventClient a client without response timeout, for the stream
     * @param probeClient a client with a response timeout that reaches the daemon the same way,
     *                    for pings and the daemon's clock
     */
    public DockerEventSource(DockerClient eventClient, DockerClient probeClient, Settings settings,
                             EventHandler handler, MeterRegistry registry) {
        this.eventClient = Objects.requireNonNull(eventClient, "eventClient");
        this.probeClient = Objects.requireNonNull(probeClient, "probeClient");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.registry = registry;
        this.queue = new CoalescingQueue<>(settings.queueCapacity());
        this.since = new SinceTracker(settings.overlap().toNanos());
        this.stall = new StallDetector(settings.stallTimeout(), settings.quietLimit(), System::nanoTime);
        this.backoff = Duration.ofMillis(100);
        for (ObjectKind kind : ObjectKind.values()) {
            if (kind != ObjectKind.RESYNC) {
                received.put(kind, Counter.builder("relocator.docker.events.received").tag("kind", kind.name().toLowerCase())
                        .description("Docker events accepted (after de-duplication)").register(registry));
            }
        }
        duplicates = Counter.builder("relocator.docker.events.dropped").tag("reason", "duplicate").register(registry);
        overflows = Counter.builder("relocator.docker.events.dropped").tag("reason", "overflow").register(registry);
        handlerErrors = Counter.builder("relocator.docker.events.handler.errors").register(registry);
        resyncOk = Counter.builder("relocator.resyncs").tag("outcome", "ok").register(registry);
        resyncFailed = Counter.builder("relocator.resyncs").tag("outcome", "failed").register(registry);
        Gauge.builder("relocator.docker.events.queue.size", queue, CoalescingQueue::size).register(registry);
        supervisor = Executors.newSingleThreadScheduledExecutor(r -> daemonThread(r, "relocator-events-supervisor"));
        dispatcher = daemonThread(this::dispatchLoop, "relocator-events-dispatcher");
    }

    private static Thread daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public void start() {
        if (closed) {
            throw new IllegalStateException("event source is closed");
        }
        if (!running.compareAndSet(false, true)) {
            return;
        }
        long now = System.nanoTime();
        lastTick = now;
        lastDispatch = now;
        dispatcher.start();
        supervisor.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * True once a full resync that started while the stream was open has completed: the view
     * was the truth at least once, and changes since then flow in as hints.
     */
    public boolean hasSynced() {
        return synced;
    }

    /** The supervisor and the dispatcher both made progress recently. */
    public boolean isAlive() {
        if (!running.get() || closed || !dispatcher.isAlive()) {
            return false;
        }
        long now = System.nanoTime();
        long limit = Math.max(TimeUnit.SECONDS.toNanos(10), settings.stallTimeout().toNanos() * 2);
        return now - lastTick < limit && now - lastDispatch < limit + TimeUnit.SECONDS.toNanos(60);
    }

    /** Whether a stream is open right now (false while reconnecting). */
    public boolean isConnected() {
        Stream s = stream;
        return s != null && !s.ended;
    }

    /** How many times a stream was opened; the first one included. */
    public long connections() {
        return connects.get();
    }

    public void requestResync() {
        resyncRequested = true;
    }

    public int pending() {
        return queue.size();
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            lastTick = now;
            Stream s = stream;
            if (s == null || s.ended) {
                if (now - nextConnectAt >= 0) {
                    connect(s == null ? pendingCause : s.endCause());
                }
            } else {
                if (now - nextPingAt >= 0) {
                    nextPingAt = now + settings.pingInterval().toNanos();
                    ping();
                }
                StallDetector.Verdict verdict = stall.verdict();
                if (verdict != StallDetector.Verdict.HEALTHY) {
                    LOG.warnf("Docker event stream %s; re-opening it from %s", verdict == StallDetector.Verdict.STALLED
                            ? "stalled (no event and no successful ping for " + settings.stallTimeout() + ")"
                            : "quiet for " + settings.quietLimit(), since.since().orElse("now"));
                    s.end(verdict == StallDetector.Verdict.STALLED ? "stall" : "quiet");
                    connect(s.endCause());
                }
            }
            if (resyncRequested || (now - lastResyncStart >= settings.resyncPeriod().toNanos() && now - resyncRetryAt >= 0)) {
                resyncRequested = false;
                lastResyncStart = now;
                queue.force(ObjectRef.RESYNC, null);
            }
        } catch (RuntimeException e) {
            LOG.error("event supervisor tick failed; retrying on the next tick", e);
        }
    }

    private void ping() {
        try {
            probeClient.pingCmd().exec();
            stall.pingSucceeded();
        } catch (RuntimeException e) {
            LOG.debugf("ping through the event path failed: %s", e.toString());
        }
    }

    private void connect(String cause) {
        long gen = generation.incrementAndGet();
        Stream previous = stream;
        if (previous != null) {
            previous.end(cause);
            // counted once per lost stream, not per attempt: the figure is "how often did we lose it, and why"
            reconnects.computeIfAbsent(previous.endCause(), c -> Counter.builder("relocator.docker.events.reconnects").tag("cause", c)
                    .description("event streams lost and re-opened, by cause").register(registry)).increment();
            stream = null;
        }
        try {
            Optional<String> resumeFrom = since.since();
            if (resumeFrom.isEmpty()) {
                // first subscription: start at the daemon's own clock so nothing between
                // now and the stream's opening falls through, whatever the local clock says
                long daemonNow = daemonTimeNanos();
                since.streamOpenedAt(daemonNow);
                resumeFrom = since.since();
            }
            Stream next = new Stream(gen);
            eventClient.eventsCmd()
                    .withSince(resumeFrom.orElseThrow())
                    .withEventTypeFilter(EventType.CONTAINER, EventType.VOLUME, EventType.SERVICE, EventType.NODE, EventType.CONFIG)
                    .withEventFilter(ACTIONS)
                    .exec(next);
            if (!next.awaitOpen(Math.max(1, settings.stallTimeout().toMillis()), TimeUnit.MILLISECONDS)) {
                Throwable error = next.error;
                next.end("connect-timeout");
                throw new IllegalStateException(error != null ? "the event stream failed to open: " + error
                        : "the event stream did not open within " + settings.stallTimeout(), error);
            }
            stream = next;
            stall.streamOpened();
            nextPingAt = System.nanoTime() + settings.pingInterval().toNanos();
            backoff = Duration.ofMillis(100);
            if (connects.incrementAndGet() > 1) {
                LOG.infof("Docker event stream re-opened (cause: %s), resuming from %s", cause, resumeFrom.get());
            }
            // after a gap the daemon may have forgotten events (it keeps a short window): re-read
            resyncRequested = true;
        } catch (RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            stream = null;
            pendingCause = cause;
            nextConnectAt = System.nanoTime() + backoff.toNanos();
            LOG.warnf("cannot open the Docker event stream (%s); next attempt in %d ms", e.toString(), backoff.toMillis());
            backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : backoff.multipliedBy(2);
        }
    }

    private long daemonTimeNanos() {
        String systemTime = probeClient.infoCmd().exec().getSystemTime();
        if (systemTime == null) {
            Instant now = Instant.now();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }
        Instant t = OffsetDateTime.parse(systemTime).toInstant();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** Called on the stream's reader thread: decode and hand off, nothing else. */
    void onEvent(Event raw) {
        stall.eventReceived();
        Optional<DockerEvent> decoded = DockerEvent.decode(raw);
        if (decoded.isEmpty()) {
            return;
        }
        DockerEvent event = decoded.get();
        if (!since.accept(event)) {
            duplicates.increment();
            return;
        }
        received.get(event.ref().kind()).increment();
        if (queue.offer(event.ref(), event) == CoalescingQueue.Offer.REJECTED) {
            overflows.increment();
            queue.force(ObjectRef.RESYNC, null);
        }
    }

    private void dispatchLoop() {
        while (!closed) {
            try {
                lastDispatch = System.nanoTime();
                Optional<Map.Entry<ObjectRef, DockerEvent>> next = queue.poll(500, TimeUnit.MILLISECONDS);
                if (next.isEmpty()) {
                    continue;
                }
                ObjectRef ref = next.get().getKey();
                if (ref.kind() == ObjectKind.RESYNC) {
                    resync();
                } else {
                    try {
                        handler.onChange(ref, next.get().getValue());
                    } catch (Exception e) {
                        handlerErrors.increment();
                        LOG.warnf("handling %s failed (%s); a full resync will repair the view", ref, e.toString());
                        resyncRequested = true;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("event dispatcher failed; continuing", e);
            }
        }
    }

    private void resync() {
        // "synced" means the view is the truth *and* changes flow in: only a resync that began
        // with a stream open counts; earlier ones still repair the view
        boolean streamWasOpen = isConnected();
        try {
            handler.onResync();
            resyncOk.increment();
            if (streamWasOpen) {
                synced = true;
            }
        } catch (Exception e) {
            resyncFailed.increment();
            resyncRetryAt = System.nanoTime() + RESYNC_RETRY_NANOS;
            lastResyncStart = System.nanoTime() - settings.resyncPeriod().toNanos();
            LOG.warnf("full resync failed (%s); retrying in %d ms", e.toString(), TimeUnit.NANOSECONDS.toMillis(RESYNC_RETRY_NANOS));
        }
    }

    @Override
    public void close() {
        closed = true;
        supervisor.shutdownNow();
        Stream s = stream;
        if (s != null) {
            s.end("shutdown");
        }
        dispatcher.interrupt();
        try {
            supervisor.awaitTermination(5, TimeUnit.SECONDS);
            dispatcher.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One subscription; callbacks of a replaced subscription are ignored by generation. */
    private final class Stream extends ResultCallback.Adapter<Event> {
        private final long gen;
        volatile boolean ended;
        private volatile String endCause = "closed";
        volatile Throwable error;
        private final java.util.concurrent.CountDownLatch settled = new java.util.concurrent.CountDownLatch(1);

        Stream(long gen) {
            this.gen = gen;
        }

        @Override
        public void onStart(java.io.Closeable closeable) {
            super.onStart(closeable);
            settled.countDown();
        }

        /** Waits until the stream is open or has failed, whichever comes first. */
        boolean awaitOpen(long timeout, TimeUnit unit) throws InterruptedException {
            return settled.await(timeout, unit) && !ended;
        }

        @Override
        public void onNext(Event event) {
            if (!ended && generation.get() == gen) {
                onEvent(event);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            if (!ended) {
                endCause = "error";
                error = throwable;
                LOG.debugf("event stream error: %s", throwable.toString());
            }
            ended = true;
            settled.countDown();
            // not super.onError: it logs every disconnect at ERROR, and a disconnect is routine here
            quietClose();
        }

        @Override
        public void onComplete() {
            if (!ended) {
                endCause = "closed";
            }
            ended = true;
            settled.countDown();
            quietClose();
        }

        void end(String cause) {
            if (!ended) {
                endCause = cause;
            }
            ended = true;
            settled.countDown();
            quietClose();
        }

        private void quietClose() {
            try {
                close();
            } catch (Exception ignored) {
                // the connection is being abandoned either way
            }
        }

        String endCause() {
            return endCause;
        }
    }
}
