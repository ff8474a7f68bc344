package dev.relocator.docker.node;

import java.util.List;
import java.util.Map;

/**
 * A container on this node, reduced to what fencing needs.
 *
 * @param state   Docker's state word: created, running, paused, restarting, exited, dead
 * @param volumes names of the named volumes it mounts
 */
public record LocalContainer(String id, String name, String state, List<String> volumes, Map<String, String> labels) {

    public LocalContainer {
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** The states of {@link #alive()}, as the engine's {@code status} filter names them. */
    public static final List<String> ALIVE_STATES = List.of("running", "paused", "restarting");

    /** May execute code and write: running, paused (it resumes), restarting (it is about to run). */
    public boolean alive() {
        return ALIVE_STATES.contains(state);
    }
}
