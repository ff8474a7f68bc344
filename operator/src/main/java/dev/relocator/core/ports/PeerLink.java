package dev.relocator.core.ports;

import dev.relocator.core.protocol.PeerMessage;

import java.util.Set;

/**
 * Agent ↔ agent, over the cluster network and not through the controller. Never blocks,
 * may lose messages; incoming messages reach the agent's {@code onPeerMessage}.
 */
public interface PeerLink {

    /** Node ids of all other agents (the electorate of the peer-majority rule). */
    Set<String> peers();

    void send(String peer, PeerMessage message);
}
