package dev.relocator.docker.swarm;

/**
 * Swarm refused a service update because it was made against an old service version:
 * someone else (another controller, a user, Swarm itself) changed the service since it was
 * read. Nothing was changed. The caller must re-read and decide again, never retry blindly.
 */
public final class StaleVersionException extends SwarmException {

    private final String serviceId;
    private final long staleVersion;

    public StaleVersionException(String serviceId, long staleVersion, Throwable cause) {
        super("service " + serviceId + " changed since version " + staleVersion + " was read; re-read it and decide again", cause);
        this.serviceId = serviceId;
        this.staleVersion = staleVersion;
    }

    public String serviceId() {
        return serviceId;
    }

    public long staleVersion() {
        return staleVersion;
    }
}
