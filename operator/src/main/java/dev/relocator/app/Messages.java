package dev.relocator.app;

import dev.relocator.core.protocol.AgentCommand;
import dev.relocator.core.protocol.PeerMessage;

/**
 * Wire forms of the core's sealed messages: exactly one field is set. Explicit envelopes keep
 * the JSON readable and free of Java class names.
 */
public final class Messages {

    private Messages() {
    }

    public record Command(AgentCommand.Fence fence, AgentCommand.Prepare prepare) {
        public static Command of(AgentCommand c) {
            if (c instanceof AgentCommand.Fence f) {
                return new Command(f, null);
            }
            return new Command(null, (AgentCommand.Prepare) c);
        }

        public AgentCommand command() {
            if ((fence == null) == (prepare == null)) {
                throw new IllegalArgumentException("a command carries exactly one of 'fence' or 'prepare'");
            }
            return fence != null ? fence : prepare;
        }
    }

    public record Peer(PeerMessage.Query query, PeerMessage.Reply reply) {
        public static Peer of(PeerMessage m) {
            if (m instanceof PeerMessage.Query q) {
                return new Peer(q, null);
            }
            return new Peer(null, (PeerMessage.Reply) m);
        }

        public PeerMessage message() {
            if ((query == null) == (reply == null)) {
                throw new IllegalArgumentException("a peer message carries exactly one of 'query' or 'reply'");
            }
            return query != null ? query : reply;
        }
    }

    /** What an instance says about itself; used to map overlay addresses to Swarm node ids. */
    public record Identity(String node, boolean manager, boolean leader, boolean controllerActing) {
    }
}
