package dev.relocator.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.relocator.core.model.VolumeSpec;
import dev.relocator.core.protocol.AgentCommand;
import dev.relocator.core.protocol.Heartbeat;
import dev.relocator.core.protocol.HeartbeatAck;
import dev.relocator.core.protocol.PeerMessage;
import dev.relocator.core.protocol.VolumeReport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The wire forms round-trip exactly (same object mapper setup as Quarkus: Java time, no timestamps for durations). */
class MessagesTest {

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

    private <T> T roundTrip(Object o, Class<T> type) throws Exception {
        return json.readValue(json.writeValueAsString(o), type);
    }

    @Test
    void heartbeatsAndAcksRoundTrip() throws Exception {
        Heartbeat hb = new Heartbeat("n1", 17, 42, new Heartbeat.LeaseProof("c1", 99, 1234, 2),
                Map.of("pg", new VolumeReport("pg", 8, true, 0, false, 3, "")));
        assertEquals(hb, roundTrip(hb, Heartbeat.class));
        HeartbeatAck ack = new HeartbeatAck("c1", 5, "n1", 17, 42, List.of(new HeartbeatAck.VolumeGrant("pg", true, 3, 8)));
        assertEquals(ack, roundTrip(ack, HeartbeatAck.class));
    }

    @Test
    void aHandOverAskAndItsGrantRoundTripAndOlderPeersReadThemAsNone() throws Exception {
        Heartbeat ask = new Heartbeat("n1", 17, 43, null, Map.of(), 60_000_000_000L);
        assertEquals(ask, roundTrip(ask, Heartbeat.class));
        HeartbeatAck grant = new HeartbeatAck("c1", 5, "n1", 17, 43, List.of(), 60_000_000_000L);
        assertEquals(grant, roundTrip(grant, HeartbeatAck.class));
        // during a rolling update the other side may be the previous version, without the field: none asked, none granted
        assertEquals(0, json.readValue("{\"node\":\"n1\",\"incarnation\":1,\"seq\":2,\"volumes\":{}}", Heartbeat.class).handoverNanos());
        assertEquals(0, json.readValue("{\"controller\":\"c1\",\"stampNanos\":1,\"node\":\"n1\",\"incarnation\":1,\"seq\":2,"
                + "\"grants\":[]}", HeartbeatAck.class).extensionNanos());
    }

    @Test
    void commandsAndPeerMessagesTravelInEnvelopes() throws Exception {
        VolumeSpec spec = new VolumeSpec("pg", "shop_db", "pgdata", "local", Map.of("type", "nfs", "device", ":/pg"), "/var/lib/pg",
                new VolumeSpec.Ownership(999, 999, "0700"), new VolumeSpec.MountOptions(true, false), Duration.ofSeconds(6), true,
                List.of("node.labels.zone==a"), VolumeSpec.TaskFailurePolicy.RELOCATE);
        AgentCommand prepare = new AgentCommand.Prepare(spec, 4, 11);
        AgentCommand back = roundTrip(Messages.Command.of(prepare), Messages.Command.class).command();
        assertEquals(prepare, back);
        AgentCommand fence = new AgentCommand.Fence("pgdata", 3, 10);
        assertEquals(fence, roundTrip(Messages.Command.of(fence), Messages.Command.class).command());

        PeerMessage q = new PeerMessage.Query("n2", 5);
        assertEquals(q, roundTrip(Messages.Peer.of(q), Messages.Peer.class).message());
        PeerMessage r = new PeerMessage.Reply("n3", 5, true);
        assertEquals(r, roundTrip(Messages.Peer.of(r), Messages.Peer.class).message());
    }

    @Test
    void anEnvelopeWithNoneOrBothIsRefused() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> json.readValue("{}", Messages.Command.class).command());
        String both = "{\"query\":{\"from\":\"a\",\"queryId\":1},\"reply\":{\"from\":\"b\",\"queryId\":1,\"leaseLost\":false}}";
        assertThrows(IllegalArgumentException.class, () -> json.readValue(both, Messages.Peer.class).message());
    }
}
