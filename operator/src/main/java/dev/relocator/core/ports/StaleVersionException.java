package dev.relocator.core.ports;

/**
 * A compare-and-swap service update was made against a version that is no longer current:
 * someone (another controller, a user, Swarm's own updater) updated the service in between.
 * The caller must re-read; it may repeat the same write against the new version only if the
 * re-read shows the controller-owned part ({@code relocator.dev/*} labels, constraints, replicas)
 * unchanged, i.e. no other controller wrote. It must never retry the same write blindly.
 */
public class StaleVersionException extends Exception {
    private final long expected;
    private final long actual;

    public StaleVersionException(String service, long expected, long actual) {
        super("service " + service + " is at version " + actual + ", update was made against " + expected);
        this.expected = expected;
        this.actual = actual;
    }

    public long expected() {
        return expected;
    }

    public long actual() {
        return actual;
    }
}
