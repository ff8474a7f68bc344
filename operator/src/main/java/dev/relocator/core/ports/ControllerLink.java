package dev.relocator.core.ports;

import dev.relocator.core.protocol.Heartbeat;

/**
 * Agent → controller. Sends a heartbeat to the manager(s) where a controller may run; only an
 * active controller answers, by calling the agent's {@code onAck}. Never blocks, may lose messages.
 */
public interface ControllerLink {
    void send(Heartbeat heartbeat);
}
