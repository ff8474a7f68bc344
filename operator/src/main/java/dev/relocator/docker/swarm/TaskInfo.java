package dev.relocator.docker.swarm;

/**
 * One task of a service.
 *
 * @param nodeId       empty while unassigned
 * @param state        Swarm's observed state (new ... running, complete, shutdown, failed, rejected ...)
 * @param desiredState what Swarm wants (running or shutdown)
 * @param containerId  empty before the container exists
 */
public record TaskInfo(String id, String serviceId, String nodeId, int slot, String state, String desiredState,
                       String containerId, String message, String error) {

    public TaskInfo {
        nodeId = nodeId == null ? "" : nodeId;
        containerId = containerId == null ? "" : containerId;
        message = message == null ? "" : message;
        error = error == null ? "" : error;
    }

    /** A task that may have a live container: anything between assignment and a terminal state. */
    public boolean mayBeRunning() {
        return switch (state) {
            case "assigned", "accepted", "preparing", "ready", "starting", "running" -> true;
            default -> false;
        };
    }
}
