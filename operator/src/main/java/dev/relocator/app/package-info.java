/**
 * One binary, two roles. Every instance runs an agent (lease keeper, self-fencing, hands of the
 * controller) on its node; every manager's instance runs a controller that acts only while it
 * proves it is on the Swarm leader. The core ({@code dev.relocator.core}) is not thread-safe:
 * each role runs on its own single loop thread, and HTTP threads only hand messages to it.
 *
 * <p>Transport, all over the Swarm overlay network on the API port:
 * <ul>
 *   <li>{@code POST /internal/v1/heartbeats}: agent to every manager; the acting controller
 *       answers 200 with the lease ack and grants, the others 204;</li>
 *   <li>{@code POST /internal/v1/agent/commands}: controller to agent, fence or prepare;</li>
 *   <li>{@code POST /internal/v1/agent/peer}: agent to agent, the peer-majority query;</li>
 *   <li>{@code GET /internal/v1/identity}: which node answers at an address (discovery resolves
 *       {@code tasks.<service>} and asks each address).</li>
 * </ul>
 * The endpoints carry no authentication: the overlay network (ideally encrypted, attachable only
 * by Relocator) is the trust boundary.
 */
package dev.relocator.app;
