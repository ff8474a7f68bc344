package dev.relocator.docker.swarm;

/** A Swarm call failed in a way the caller should see as Swarm's answer, not as a bug. */
public class SwarmException extends RuntimeException {

    public SwarmException(String message) {
        super(message);
    }

    public SwarmException(String message, Throwable cause) {
        super(message, cause);
    }
}
