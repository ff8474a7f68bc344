/**
 * The state-change stream: the Kafka side of {@link dev.relocator.core.events.EventSink}.
 *
 * <p>{@link dev.relocator.events.KafkaEventSink} turns each {@code StateChange} into a
 * CloudEvent (structured mode) on the history topic, and volume phases also onto a compacted
 * state topic; {@link dev.relocator.events.EventBuffer} is its bounded, per-key ordered buffer
 * whose overflow becomes resync snapshots; {@link dev.relocator.events.EventTopics} checks or
 * creates the topics; {@link dev.relocator.events.EventWatcher} is the consumer behind
 * {@code relocatorctl watch}. Contract and guarantees: {@code docs/events/README.md} and
 * {@code docs/events/asyncapi.yaml}.
 */
package dev.relocator.events;
