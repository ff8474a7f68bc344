/**
 * Docker events as hints, the engine as the truth.
 *
 * <p>{@link dev.relocator.docker.events.DockerEventSource} subscribes to container, volume,
 * service, node and config events (service, node and config events only exist on managers;
 * subscribing to them everywhere costs nothing; config events drive the resource store's watches). The reader thread decodes and hands off to a
 * {@link dev.relocator.docker.events.CoalescingQueue} bounded by distinct objects, because the
 * daemon drops events for a subscriber that does not keep up. Resumption is gap-free: the
 * {@link dev.relocator.docker.events.SinceTracker} resumes a little before the newest event seen
 * and drops the replayed duplicates. A full resync runs every period (at most 30 s), after every
 * reconnect and after a queue overflow, so a lost event, a stalled stream (see
 * {@link dev.relocator.docker.events.StallDetector}) or a gap longer than the daemon's replay
 * window leaves the view wrong for at most one period.
 *
 * <p>Readiness is "synced": a resync that started with a stream open has completed.
 */
package dev.relocator.docker.events;
