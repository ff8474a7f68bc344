package dev.relocator.core.model;

import java.util.Objects;

/**
 * One Swarm task of the workload service.
 *
 * @param id         task id
 * @param nodeId     node it was assigned to (null before assignment)
 * @param state      the task's observed state
 * @param error      Swarm's error message for failed/rejected tasks ("" otherwise)
 * @param timestamp  Swarm's status timestamp; used only to count recent failures (policy, never safety)
 */
public record TaskView(String id, String nodeId, TaskState state, String error, java.time.Instant timestamp) {
    public TaskView {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        error = error == null ? "" : error;
        Objects.requireNonNull(timestamp, "timestamp");
    }

    public enum TaskState {
        PENDING, ASSIGNED, STARTING, RUNNING, COMPLETE, FAILED, REJECTED, SHUTDOWN;

        public boolean failure() {
            return this == FAILED || this == REJECTED;
        }
    }
}
