package dev.relocator.core.ports;

/**
 * An out-of-band way to make a node stop for sure (IPMI/PDU power-off, a cloud API stop): the
 * fence hook. The only evidence that covers a node frozen longer than its lease, and the one that
 * lets a move skip the lease wait. Which hook applies is the implementation's business: the
 * volume's own {@code spec.fencing} first, else the first {@code RelocatorConfig} hook whose node
 * labels match.
 *
 * <p>Contract: {@link #request} is idempotent and asynchronous (never blocks the controller loop);
 * {@link State#CONFIRMED} means the hook reported success, i.e. the node is off and stays off
 * until someone powers it on; {@link State#FAILED} means the hook exited non-zero, answered non-2xx
 * or timed out, and a later {@link #request} tries again. {@link #reset} forgets a node's outcome
 * (it is back: a later loss must be fenced afresh).
 */
public interface ExternalFence {

    enum State {
        /** No hook applies to this node and volume. */
        NOT_CONFIGURED,
        /** A hook applies; it has not been asked (or was reset). */
        IDLE,
        /** Asked; no outcome yet. */
        REQUESTED,
        /** The hook reported the node off. */
        CONFIRMED,
        /** The hook failed or timed out. */
        FAILED
    }

    /** Asks the hook that applies to (node, volume) to power node off; no-op when not configured or already asked. */
    void request(String node, String volume);

    State state(String node, String volume);

    /** The node is back (it heartbeats again): forget its outcome. */
    void reset(String node);

    default boolean confirmed(String node, String volume) {
        return state(node, volume) == State.CONFIRMED;
    }

    ExternalFence NONE = new ExternalFence() {
        @Override
        public void request(String node, String volume) {
        }

        @Override
        public State state(String node, String volume) {
            return State.NOT_CONFIGURED;
        }

        @Override
        public void reset(String node) {
        }
    };
}
