package dev.relocator.core.protocol;

/** Agent ↔ agent: "can you still renew your lease with the controller?" (the peer-majority rule). */
public sealed interface PeerMessage permits PeerMessage.Query, PeerMessage.Reply {

    String from();

    /** Asked by an agent whose lease is about to lapse. */
    record Query(String from, long queryId) implements PeerMessage {
    }

    /**
     * @param leaseLost true when the answering agent is itself past its lost point
     *                  ({@code now >= deadline - killBudget - lostLead}); evaluated when answering, never cached
     */
    record Reply(String from, long queryId, boolean leaseLost) implements PeerMessage {
    }
}
