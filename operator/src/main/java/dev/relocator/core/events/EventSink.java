package dev.relocator.core.events;

/**
 * Where the core hands its state changes. Implementations must not block the caller
 * on a broker: the Kafka sink buffers (bounded) and reports loss as an explicit
 * resync snapshot, never as a silent gap.
 */
@FunctionalInterface
public interface EventSink {

    void publish(StateChange change);

    EventSink NONE = change -> { };
}
