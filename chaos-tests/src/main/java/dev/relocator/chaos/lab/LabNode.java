package dev.relocator.chaos.lab;

/**
 * A Swarm node of the lab: a Docker-in-Docker container on the lab network.
 *
 * @param name        the node's hostname, also its Swarm node hostname ({@code m1}, {@code w1}, ...)
 * @param manager     whether it joined as a manager
 * @param ip          its fixed address on the lab network (kept across a crash and restart)
 * @param containerId the node container's id in the host engine
 */
public record LabNode(String name, boolean manager, String ip, String containerId) {
}
