package dev.relocator.core.ports;

/**
 * An out-of-band way to make a node stop for sure (IPMI/PDU power-off, a cloud API stop).
 * The only evidence that covers a node frozen longer than its lease.
 */
public interface ExternalFence {

    /** Asks for node to be powered off; idempotent, asynchronous. */
    void request(String node);

    /** True once the hook has confirmed the node is off (and stays off until a human resets it). */
    boolean confirmed(String node);

    ExternalFence NONE = new ExternalFence() {
        @Override
        public void request(String node) {
        }

        @Override
        public boolean confirmed(String node) {
            return false;
        }
    };
}
