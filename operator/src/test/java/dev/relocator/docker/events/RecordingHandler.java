package dev.relocator.docker.events;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** Records every hint it is given, then passes it on. */
final class RecordingHandler implements EventHandler {

    private final EventHandler delegate;
    final ConcurrentLinkedQueue<DockerEvent> events = new ConcurrentLinkedQueue<>();
    final AtomicInteger resyncs = new AtomicInteger();

    RecordingHandler(EventHandler delegate) {
        this.delegate = delegate;
    }

    @Override
    public void onChange(ObjectRef ref, DockerEvent latest) throws Exception {
        events.add(latest);
        delegate.onChange(ref, latest);
    }

    @Override
    public void onResync() throws Exception {
        delegate.onResync();
        resyncs.incrementAndGet();
    }

    boolean saw(ObjectKind kind, String id, String action) {
        return events.stream().anyMatch(e -> e.ref().kind() == kind && e.ref().id().equals(id) && e.action().equals(action));
    }

    boolean sawAnything(String id) {
        return events.stream().anyMatch(e -> e.ref().id().equals(id) || id.equals(e.attributes().get("container")));
    }

    List<String> describe() {
        return events.stream().map(e -> e.ref() + ":" + e.action()).toList();
    }
}
