package dev.relocator.core.ports;

import dev.relocator.core.protocol.AgentCommand;

/**
 * Controller → node agents. Fire-and-forget: a send may be lost or delayed, never blocks on
 * the agent, and reports no result. Results come back in the agent's heartbeats
 * ({@link dev.relocator.core.protocol.VolumeReport}), so a lost command is simply re-sent by the
 * next reconcile. Implementations must not throw when the node is unreachable.
 */
public interface AgentCommands {
    void send(String node, AgentCommand command);
}
