package dev.relocator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.core.DockerClientConfig;
import dev.relocator.docker.events.CoalescingQueue;
import dev.relocator.docker.events.DockerEvent;
import dev.relocator.docker.events.ObjectKind;
import dev.relocator.docker.events.ObjectRef;
import dev.relocator.docker.events.SinceTracker;
import dev.relocator.docker.events.StallDetector;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Raw Docker {@code /events} bytes to the consumer, single-threaded, per event.
 *
 * <p>{@link #pipeline} is the operator's path with its real classes: docker-java's own object
 * mapper binding the stream exactly as its {@code JsonSink} does ({@code readerFor(Event).readValues(body)}),
 * then what {@code DockerEventSource.onEvent} does on the reader thread (stall clock, {@link DockerEvent#decode},
 * {@link SinceTracker} de-duplication, the per-kind Micrometer counter, {@link CoalescingQueue#offer}),
 * then the dispatcher's {@link CoalescingQueue#poll} hand-off to a consumer. The source's own
 * {@code onEvent} is package-private and its constructor needs a live Docker client, so the
 * benchmark repeats those few lines; a change there must be mirrored here.
 *
 * <p>The consumer drains the queue every {@link #DRAIN_EVERY} events: a dispatcher that keeps up
 * but wakes in small batches, so some events coalesce (as they do in a real burst).
 *
 * <p>{@link #baselineReadTree} is the floor any JSON decoder pays: plain Jackson {@code readTree}
 * of the same lines. {@link #bindOnly} splits the pipeline's cost into binding and the rest.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 2, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@OperationsPerInvocation(EventDecodeBenchmark.BATCH)
public class EventDecodeBenchmark {

    static final int BATCH = 20_000;
    static final int DRAIN_EVERY = 16;

    private List<byte[]> lines;
    private byte[] body;
    private ObjectMapper plain;
    private ObjectReader dockerEventReader;
    private SimpleMeterRegistry registry;
    private Map<ObjectKind, Counter> received;

    @Setup
    public void setUp() throws IOException {
        List<String> text = EventLines.lines(BATCH);
        lines = text.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
        body = EventLines.body(text);
        plain = new ObjectMapper();
        dockerEventReader = DockerClientConfig.getDefaultObjectMapper().readerFor(Event.class);
        registry = new SimpleMeterRegistry();
        received = new EnumMap<>(ObjectKind.class);
        for (ObjectKind kind : ObjectKind.values()) {
            received.put(kind, Counter.builder("relocator.docker.events.received").tag("kind", kind.name().toLowerCase())
                    .register(registry));
        }
        // a benchmark of the wrong input is worse than none: every line must decode and be accepted
        int accepted = pipeline(null);
        if (accepted != BATCH) {
            throw new IllegalStateException("only " + accepted + " of " + BATCH + " recorded lines were accepted; fix EventLines");
        }
    }

    @Benchmark
    public int baselineReadTree(Blackhole bh) throws IOException {
        int n = 0;
        for (byte[] line : lines) {
            JsonNode node = plain.readTree(line);
            bh.consume(node);
            n++;
        }
        return n;
    }

    @Benchmark
    public int bindOnly(Blackhole bh) throws IOException {
        int n = 0;
        try (MappingIterator<Event> it = dockerEventReader.readValues(new ByteArrayInputStream(body))) {
            while (it.hasNextValue()) {
                bh.consume(it.nextValue());
                n++;
            }
        }
        return n;
    }

    @Benchmark
    public int pipeline(Blackhole bh) throws IOException {
        // fresh per batch, as after a reconnect: the batch's timestamps start over
        SinceTracker since = new SinceTracker(Duration.ofSeconds(1).toNanos());
        CoalescingQueue<ObjectRef, DockerEvent> queue = new CoalescingQueue<>(1024);
        StallDetector stall = new StallDetector(Duration.ofSeconds(10), Duration.ofMinutes(5), System::nanoTime);
        int accepted = 0;
        int sinceDrain = 0;
        try (MappingIterator<Event> it = dockerEventReader.readValues(new ByteArrayInputStream(body))) {
            while (it.hasNextValue()) {
                Event raw = it.nextValue();
                stall.eventReceived();
                Optional<DockerEvent> decoded = DockerEvent.decode(raw);
                if (decoded.isEmpty()) {
                    continue;
                }
                DockerEvent event = decoded.get();
                if (!since.accept(event)) {
                    continue;
                }
                accepted++;
                received.get(event.ref().kind()).increment();
                if (queue.offer(event.ref(), event) == CoalescingQueue.Offer.REJECTED) {
                    queue.force(ObjectRef.RESYNC, null);
                }
                if (++sinceDrain == DRAIN_EVERY) {
                    drain(queue, bh);
                    sinceDrain = 0;
                }
            }
        }
        drain(queue, bh);
        return accepted;
    }

    private static void drain(CoalescingQueue<ObjectRef, DockerEvent> queue, Blackhole bh) {
        try {
            Optional<Map.Entry<ObjectRef, DockerEvent>> next;
            while ((next = queue.poll(0, TimeUnit.NANOSECONDS)).isPresent()) {
                if (bh != null) {
                    bh.consume(next.get());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
