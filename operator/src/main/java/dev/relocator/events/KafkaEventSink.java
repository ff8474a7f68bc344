package dev.relocator.events;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import dev.relocator.core.events.EventSink;
import dev.relocator.core.events.StateChange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Publishes every {@link StateChange} to Kafka as a CloudEvent, without ever blocking the core.
 *
 * <p>{@link #publish} only puts the change into a bounded {@link EventBuffer} and wakes the
 * sender thread. The sender keeps at most one send in flight per key and moves to the key's
 * next change only on the broker's ack (the emitter's send completes on ack), so each
 * volume's events stay in order through failures: a failed send goes back to the head of
 * its key and is retried with backoff. While Kafka is down the buffer fills; past its bound
 * the noisiest key's backlog becomes one resync snapshot. Nothing is sent until
 * {@link EventTopics} has checked (or created) the topics, so the broker never auto-creates
 * them with the wrong settings.
 *
 * <p>Volume phase changes also go, latest-wins, to the compacted state topic.
 */
@ApplicationScoped
public class KafkaEventSink implements EventSink {

    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);

    @Inject
    @Channel(Channels.EVENTS)
    MutinyEmitter<Map<String, Object>> events;

    @Inject
    @Channel(Channels.VOLUME_STATE)
    MutinyEmitter<Map<String, Object>> volumeState;

    @Inject
    EventsConfig config;

    @Inject
    MeterRegistry registry;

    private EventBuffer buffer;
    private CloudEventMapper mapper;
    private ScheduledExecutorService sender;
    private ScheduledFuture<?> wakeUp;
    private long wakeUpAtNanos;
    private boolean stateWaiting;
    private long stateRetryAtNanos;
    private volatile boolean topicsReady;
    private volatile String lastError;
    private final AtomicLong consecutiveFailures = new AtomicLong();

    // state lane: latest change per volume waiting to be written, and volumes with a write in flight
    private final Map<String, EventBuffer.Entry> stateSlots = new LinkedHashMap<>();
    private final Set<String> stateInFlight = new HashSet<>();

    private Counter publishedEvents;
    private Counter publishedState;
    private Counter failedEvents;
    private Counter failedState;

    @PostConstruct
    void init() {
        buffer = new EventBuffer(config.bufferSize());
        mapper = new CloudEventMapper(config.instance().orElseGet(KafkaEventSink::hostName),
                UUID.randomUUID().toString());
        sender = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relocator-events-sender");
            t.setDaemon(true);
            return t;
        });
        publishedEvents = counter("relocator.events.published", "events", "Events acknowledged by the broker");
        publishedState = counter("relocator.events.published", "state", "Events acknowledged by the broker");
        failedEvents = counter("relocator.events.publish.failures", "events", "Sends that failed and will be retried");
        failedState = counter("relocator.events.publish.failures", "state", "Sends that failed and will be retried");
        Gauge.builder("relocator.events.buffer.size", buffer, EventBuffer::size)
                .description("Events held by the publisher (queued or awaiting ack)").register(registry);
        Gauge.builder("relocator.events.buffer.capacity", buffer, EventBuffer::capacity)
                .description("Most transitions the publisher holds before replacing them by a snapshot")
                .register(registry);
        FunctionCounter.builder("relocator.events.dropped.replaced.by.snapshot", buffer,
                        EventBuffer::replacedBySnapshot)
                .description("Transitions not sent one by one because a resync snapshot replaced them")
                .register(registry);
        FunctionCounter.builder("relocator.events.snapshots", buffer, EventBuffer::snapshotsCreated)
                .description("Resync snapshots created on buffer overflow").register(registry);
    }

    @PreDestroy
    void shutdown() {
        sender.shutdownNow();
        if (buffer.size() > 0) {
            LOG.warnf("Stopping with %d state changes not yet acknowledged by Kafka; consumers will see the "
                    + "state again through the next changes or the compacted topic %s", buffer.size(), config.stateTopic());
        }
    }

    @Override
    public void publish(StateChange change) {
        EventBuffer.Entry entry = buffer.offer(change);
        if (carriesVolumeState(entry)) {
            synchronized (stateSlots) {
                stateSlots.put(entry.key(), entry);
            }
        }
        wake();
    }

    /** Called by {@link EventTopics} once the topics exist with the right settings. */
    void topicsReady() {
        topicsReady = true;
        wake();
    }

    public boolean isTopicsReady() {
        return topicsReady;
    }

    public EventBuffer buffer() {
        return buffer;
    }

    /** The last send error, or null after a successful send. */
    public String lastError() {
        return lastError;
    }

    public long consecutiveFailures() {
        return consecutiveFailures.get();
    }

    public CloudEventMapper mapper() {
        return mapper;
    }

    static boolean carriesVolumeState(EventBuffer.Entry entry) {
        String type = entry.change().type();
        return entry.change().phase() != null && CloudEventMapper.KIND_VOLUME.equals(CloudEventMapper.kind(type))
                && (StateChange.Types.PHASE_CHANGED.equals(type) || StateChange.Types.RESOURCE_ACCEPTED.equals(type));
    }

    private void wake() {
        try {
            sender.execute(this::drain);
        } catch (RejectedExecutionException stopping) {
            // shutting down: what is left is reported by shutdown()
        }
    }

    /** Runs on the sender thread only. */
    private void drain() {
        if (!topicsReady) {
            return;
        }
        long now = System.nanoTime();
        while (buffer.inFlight() < config.maxInFlight()) {
            EventBuffer.Entry entry = buffer.next(now);
            if (entry == null) {
                break;
            }
            send(entry);
        }
        drainState();
        OptionalLong retryAt = buffer.nextRetryAt(now);
        if (retryAt.isPresent()
                && (wakeUp == null || wakeUp.isDone() || retryAt.getAsLong() - wakeUpAtNanos < 0)) {
            wakeUpAtNanos = retryAt.getAsLong();
            wakeUp = sender.schedule(this::drain, Math.max(0, wakeUpAtNanos - now), TimeUnit.NANOSECONDS);
        }
    }

    private void send(EventBuffer.Entry entry) {
        Consumer<Throwable> failed = failure -> onFailure(() -> {
            failedEvents.increment();
            recordFailure(entry, failure);
            long backoff = backoffNanos(consecutiveFailures.get());
            buffer.failed(entry, System.nanoTime() + backoff);
        });
        try {
            events.sendMessage(message(entry)).subscribe().with(
                    ok -> onSuccess(() -> {
                        buffer.acked(entry);
                        publishedEvents.increment();
                    }),
                    failed);
        } catch (RuntimeException refused) {
            // an emitter that refuses synchronously (overflow, channel down) must not leave the key stuck in flight
            failed.accept(refused);
        }
    }

    private void drainState() {
        if (stateWaiting && System.nanoTime() - stateRetryAtNanos < 0) {
            return;
        }
        stateWaiting = false;
        Map<String, EventBuffer.Entry> ready = new LinkedHashMap<>();
        synchronized (stateSlots) {
            var it = stateSlots.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                if (stateInFlight.add(e.getKey())) {
                    ready.put(e.getKey(), e.getValue());
                    it.remove();
                }
            }
        }
        ready.values().forEach(this::sendState);
    }

    private void sendState(EventBuffer.Entry entry) {
        Consumer<Throwable> failed = failure -> onFailure(() -> {
            failedState.increment();
            recordFailure(entry, failure);
            synchronized (stateSlots) {
                stateInFlight.remove(entry.key());
                stateSlots.putIfAbsent(entry.key(), entry); // a newer state, if any, wins
            }
            long backoff = backoffNanos(consecutiveFailures.get());
            stateWaiting = true;
            stateRetryAtNanos = System.nanoTime() + backoff;
            scheduleDrain(backoff);
        });
        try {
            volumeState.sendMessage(message(entry)).subscribe().with(
                    ok -> onSuccess(() -> {
                        publishedState.increment();
                        synchronized (stateSlots) {
                            stateInFlight.remove(entry.key());
                        }
                    }),
                    failed);
        } catch (RuntimeException refused) {
            failed.accept(refused);
        }
    }

    private Message<Map<String, Object>> message(EventBuffer.Entry entry) {
        return Message.of(mapper.data(entry))
                .addMetadata(mapper.metadata(entry))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(entry.key()).build());
    }

    private void onSuccess(Runnable bookkeeping) {
        runOnSender(() -> {
            bookkeeping.run();
            consecutiveFailures.set(0);
            lastError = null;
            drain();
        });
    }

    private void onFailure(Runnable bookkeeping) {
        runOnSender(() -> {
            bookkeeping.run();
            drain();
        });
    }

    private void runOnSender(Runnable r) {
        try {
            sender.execute(r);
        } catch (RejectedExecutionException stopping) {
            // shutting down
        }
    }

    private void recordFailure(EventBuffer.Entry entry, Throwable failure) {
        long n = consecutiveFailures.incrementAndGet();
        lastError = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        // Log the first failure of an outage and then every 20th, not every retry.
        if (n == 1 || n % 20 == 0) {
            LOG.warnf("Kafka send of %s for %s failed (%d consecutive failures; buffered: %d transitions of at most "
                            + "%d, %d resync snapshots): %s. Relocations go on; events are retried in order.",
                    entry.change().type(), entry.key(), n, buffer.transitions(), buffer.capacity(), buffer.snapshots(),
                    lastError);
        }
    }

    private long backoffNanos(long failures) {
        Duration base = config.retryBackoff();
        Duration max = config.retryBackoffMax();
        long nanos = base.toNanos() << Math.min(20, Math.max(0, failures - 1));
        return Math.min(nanos <= 0 ? max.toNanos() : nanos, max.toNanos());
    }

    private void scheduleDrain(long delayNanos) {
        try {
            sender.schedule(this::drain, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            // shutting down
        }
    }

    private Counter counter(String name, String channel, String description) {
        return Counter.builder(name).tag("channel", channel).description(description).register(registry);
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
