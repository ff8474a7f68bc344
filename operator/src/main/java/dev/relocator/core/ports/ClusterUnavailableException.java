package dev.relocator.core.ports;

/**
 * Swarm could not answer (no manager quorum, local manager down, socket error). The
 * controller treats it as "know nothing, do nothing" and retries with back-off.
 */
public class ClusterUnavailableException extends RuntimeException {
    public ClusterUnavailableException(String message) {
        super(message);
    }

    public ClusterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
