/**
 * The relocation core: pure Java, no Quarkus, no docker-java. Everything outside the JVM is
 * reached through the small interfaces in {@code ports} (Swarm, node agents, the local Docker
 * Engine, the lease file, the external fence, time) and {@code events.EventSink}, so the same
 * controller and agent code runs in production (adapters in {@code dev.relocator.docker} and
 * {@code dev.relocator.app}) and in the deterministic simulation ({@code dev.relocator.sim}, test scope).
 *
 * <ul>
 *   <li>{@code model}: phases, attachments, the state stored in service labels, the spec view;</li>
 *   <li>{@code protocol}: the messages between agents and controller (heartbeats, acks with
 *       grants, peer queries, commands);</li>
 *   <li>{@code lease}: the lease arithmetic shared by both sides;</li>
 *   <li>{@code controller}: the per-volume reconciler;</li>
 *   <li>{@code agent}: lease keeper and self-fencing.</li>
 * </ul>
 * The safety argument is in {@code docs/safety-argument.md}.
 */
package dev.relocator.core;
