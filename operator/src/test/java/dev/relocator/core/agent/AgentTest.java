package dev.relocator.core.agent;

import dev.relocator.core.events.EventSink;
import dev.relocator.core.lease.LeaseTiming;
import dev.relocator.core.lease.PeerMajority;
import dev.relocator.core.model.VolumeSpec;
import dev.relocator.core.ports.Clock;
import dev.relocator.core.ports.LeaseFile;
import dev.relocator.core.ports.LocalDocker;
import dev.relocator.core.ports.PeerLink;
import dev.relocator.core.protocol.AgentCommand;
import dev.relocator.core.protocol.Heartbeat;
import dev.relocator.core.protocol.HeartbeatAck;
import dev.relocator.core.protocol.PeerMessage;
import dev.relocator.core.protocol.VolumeReport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's lease keeping, self-fencing and peer-majority rule, on a manual clock. */
class AgentTest {

    static final long MS = 1_000_000L;
    final LeaseTiming t = LeaseTiming.DEFAULT;

    long now = 5_000_000_000L;
    final Clock clock = new Clock() {
        @Override
        public long monotonicNanos() {
            return now;
        }

        @Override
        public Instant wallTime() {
            return Instant.EPOCH.plusNanos(now);
        }
    };
    final List<Heartbeat> sent = new ArrayList<>();
    final List<String[]> peerMessages = new ArrayList<>();
    final List<PeerMessage> peerPayloads = new ArrayList<>();
    final Set<String> containers = new HashSet<>();
    final Set<String> volumes = new HashSet<>();
    /** Relocatable references the port lists (by Relocator's labels), and the stale removals the agent asked for. */
    final Map<String, LocalDocker.LocalVolume> listed = new java.util.TreeMap<>();
    final List<String> staleRemovals = new ArrayList<>();
    boolean dockerUp = true;
    /** Kills take longer than a tick: the container is still listed after the kill call. */
    boolean slowKill;
    LeaseFile.Content file;
    Agent agent;
    /** Engine requests the agent made: container listings (batched and single) and reference removals. */
    int batchListings;
    int singleListings;
    final List<String> removals = new ArrayList<>();
    /** > 0: a reference removal runs off the loop for this many polls before it is done. */
    int removalPolls;
    final Map<String, Integer> removalPolled = new java.util.HashMap<>();
    /** > 0: a prepare runs off the loop for this many polls before its verdict (the adapter's pool). */
    int preparePolls;
    final Map<String, Integer> preparePolled = new java.util.HashMap<>();

    final LocalDocker docker = new LocalDocker() {
        void up() {
            if (!dockerUp) {
                throw new DockerUnavailableException("restarting");
            }
        }

        @Override
        public List<String> containersMounting(String volume) {
            up();
            singleListings++;
            return containers.stream().filter(c -> c.startsWith(volume + "/")).sorted().toList();
        }

        @Override
        public Map<String, List<String>> containersMounting(java.util.Collection<String> names) {
            up();
            batchListings++;
            Map<String, List<String>> out = new java.util.TreeMap<>();
            names.forEach(v -> out.put(v, containers.stream().filter(c -> c.startsWith(v + "/")).sorted().toList()));
            return out;
        }

        @Override
        public boolean removeReference(String volume, boolean stale) {
            if (removalPolls > 0 && removalPolled.merge(volume, 1, Integer::sum) <= removalPolls) {
                return false;
            }
            removalPolled.remove(volume);
            return LocalDocker.super.removeReference(volume, stale);
        }

        @Override
        public Optional<Boolean> prepareAndVerify(VolumeSpec spec) {
            if (preparePolls > 0 && preparePolled.merge(spec.volumeName(), 1, Integer::sum) <= preparePolls) {
                return Optional.empty();
            }
            preparePolled.remove(spec.volumeName());
            prepare(spec);
            return Optional.of(verify(spec));
        }

        @Override
        public void kill(String id) {
            up();
            if (!slowKill) {
                containers.remove(id);
            }
        }

        @Override
        public boolean volumePresent(String volume) {
            up();
            return volumes.contains(volume);
        }

        @Override
        public void removeVolumeReference(String volume) {
            up();
            removals.add(volume);
            volumes.remove(volume);
        }

        @Override
        public void prepare(VolumeSpec spec) {
            up();
            volumes.add(spec.volumeName());
        }

        @Override
        public boolean verify(VolumeSpec spec) {
            return true;
        }

        @Override
        public List<LocalVolume> relocatableVolumes() {
            up();
            return List.copyOf(listed.values());
        }

        @Override
        public void removeStaleReference(String volume) {
            up();
            staleRemovals.add(volume);
            volumes.remove(volume);
            listed.remove(volume);
        }
    };

    final LeaseFile leaseFile = new LeaseFile() {
        @Override
        public void write(Content content, long nowNanos) {
            file = content;
        }

        @Override
        public Optional<Content> read(long nowNanos) {
            return Optional.ofNullable(file);
        }
    };

    final PeerLink peers = new PeerLink() {
        @Override
        public Set<String> peers() {
            return Set.of("b", "c", "d", "e");
        }

        @Override
        public void send(String peer, PeerMessage message) {
            peerMessages.add(new String[]{peer});
            peerPayloads.add(message);
        }
    };

    @BeforeEach
    void setUp() {
        agent = newAgent(1);
    }

    Agent newAgent(long incarnation) {
        return new Agent("a", incarnation, t, PeerMajority.DEFAULT, clock, sent::add, peers, docker, leaseFile, EventSink.NONE);
    }

    void advance(long ms) {
        for (long i = 0; i < ms; i += 100) {
            now += 100 * MS;
            agent.tick();
        }
    }

    Heartbeat last() {
        return sent.get(sent.size() - 1);
    }

    void ack(Heartbeat hb, boolean granted, long version) {
        agent.onAck(new HeartbeatAck("c1", now, "a", 1, hb.seq(),
                List.of(new HeartbeatAck.VolumeGrant("vol", granted, granted ? 3 : 0, version))));
    }

    /** A running, granted writer of "vol" acked right now. */
    void runningWriter() {
        agent.tick();
        ack(last(), true, 10);
        containers.add("vol/c1");
        volumes.add("vol");
        agent.tick();
        assertTrue(agent.allows("vol"));
    }

    @Test
    void theLeaseRunsFromTheSendTimeOfTheAckedHeartbeat() {
        agent.tick();
        long sendTime = now;
        Heartbeat hb = last();
        now += 300 * MS;
        ack(hb, true, 10);
        assertEquals(sendTime + t.lease().toNanos(), agent.effectiveDeadline());
        assertEquals(Map.of("vol", 3L), file.allowed(), "the wrapper sees the grant at once");
    }

    @Test
    void atTheFencePointTheAgentKillsConfirmsAndTheWrapperIsDenied() {
        runningWriter();
        long fencePoint = t.agentFencePoint(agent.effectiveDeadline());
        while (now + 100 * MS < fencePoint) {
            advance(100);
            assertTrue(containers.contains("vol/c1"), "no kill before the fence point");
        }
        advance(200);
        assertTrue(agent.lapsed());
        assertFalse(containers.contains("vol/c1"));
        assertTrue(file.allowed().isEmpty());
        assertTrue(now < agent.effectiveDeadline(), "fenced before the deadline");
        Heartbeat report = last();
        advance(1000);
        assertTrue(last().volumes().get("vol").fenced());
        assertEquals(0, last().volumes().get("vol").containersAlive());
        assertTrue(report.seq() < last().seq());
    }

    @Test
    void aRenewalAfterALapseAllowsTheVolumeAgainOnlyWithAFreshGrant() {
        runningWriter();
        advance(4000);
        assertTrue(agent.lapsed());
        agent.tick();
        ack(last(), true, 10);
        assertTrue(agent.allows("vol"), "same version, same epoch, valid lease: restart in place is fine");
    }

    @Test
    void aRevocationKillsAtOnceAndOlderGrantsAreIgnoredAfterwards() {
        runningWriter();
        agent.tick();
        Heartbeat older = last();
        advance(1000);
        ack(last(), false, 11);
        agent.tick();
        assertFalse(containers.contains("vol/c1"));
        ack(older, true, 10);
        assertFalse(agent.allows("vol"), "a delayed grant from before the revocation must not revive the writer");
        advance(200);
        assertEquals(11, last().volumes().get("vol").seenRevision());
        assertTrue(last().volumes().get("vol").fenced());
    }

    /**
     * A start Swarm sent before the revocation lands between two ticks (the wrapper let it through,
     * the grant was still listed). No report that has seen the revocation may count it as gone.
     */
    @Test
    void aReportThatSawTheRevocationCountsAStartThatWasInFlight() {
        runningWriter();
        containers.remove("vol/c1");
        advance(1000);
        assertEquals(0, last().volumes().get("vol").containersAlive());
        containers.add("vol/c2");
        slowKill = true;
        ack(last(), false, 11);
        for (int i = 0; i < 20; i++) {
            advance(100);
            for (Heartbeat hb : sent) {
                VolumeReport r = hb.volumes().get("vol");
                assertFalse(r != null && r.seenRevision() >= 11 && r.containersAlive() == 0 && containers.contains("vol/c2"),
                        "reported 0 alive at the revocation's revision while vol/c2 runs");
            }
        }
        slowKill = false;
        advance(300);
        assertFalse(containers.contains("vol/c2"));
        assertEquals(0, last().volumes().get("vol").containersAlive());
        assertEquals(11, last().volumes().get("vol").seenRevision());
    }

    @Test
    void aPeerMajorityOfLostAnswersKeepsTheWriterAliveOnlyWhileItLasts() {
        runningWriter();
        long fencePoint = t.agentFencePoint(agent.effectiveDeadline());
        while (now < fencePoint - PeerMajority.DEFAULT.queryLead().toNanos()) {
            advance(100);
        }
        // the peers keep answering every query: two lost peers plus this agent are a majority of five
        for (int i = 0; i < 30; i++) {
            advance(100);
            long queryId = ((PeerMessage.Query) peerPayloads.get(peerPayloads.size() - 1)).queryId();
            agent.onPeerMessage(new PeerMessage.Reply("b", queryId, true));
            agent.onPeerMessage(new PeerMessage.Reply("c", queryId, true));
            agent.onPeerMessage(new PeerMessage.Reply("d", queryId, false));
        }
        assertTrue(now > fencePoint + 2_000 * MS);
        assertTrue(containers.contains("vol/c1"), "control-plane outage: no kill");
        assertFalse(agent.lapsed());
        // the peers stop answering: the permit runs out and the agent fences
        advance(3000);
        assertTrue(agent.lapsed());
        assertFalse(containers.contains("vol/c1"));
        // a late majority cannot revive a fenced writer
        long q = ((PeerMessage.Query) peerPayloads.get(peerPayloads.size() - 1)).queryId();
        agent.onPeerMessage(new PeerMessage.Reply("b", q, true));
        agent.onPeerMessage(new PeerMessage.Reply("c", q, true));
        advance(200);
        assertFalse(agent.allows("vol"));
    }

    @Test
    void oneLostPeerIsNotAMajority() {
        runningWriter();
        long fencePoint = t.agentFencePoint(agent.effectiveDeadline());
        while (now < fencePoint - 300 * MS) {
            advance(100);
        }
        long queryId = ((PeerMessage.Query) peerPayloads.get(peerPayloads.size() - 1)).queryId();
        agent.onPeerMessage(new PeerMessage.Reply("b", queryId, true));
        advance(500);
        assertTrue(agent.lapsed());
        assertFalse(containers.contains("vol/c1"));
    }

    @Test
    void itAnswersPeersLostFromItsLostPointOn() {
        runningWriter();
        long lostPoint = PeerMajority.DEFAULT.lostPoint(t, agent.effectiveDeadline());
        now = lostPoint - 1;
        agent.onPeerMessage(new PeerMessage.Query("b", 1));
        assertFalse(((PeerMessage.Reply) peerPayloads.get(peerPayloads.size() - 1)).leaseLost());
        now = lostPoint;
        agent.onPeerMessage(new PeerMessage.Query("b", 2));
        assertTrue(((PeerMessage.Reply) peerPayloads.get(peerPayloads.size() - 1)).leaseLost());
    }

    @Test
    void anAgentRestartResumesFromTheLeaseFileWithoutKilling() {
        runningWriter();
        agent = newAgent(2);
        agent.tick();
        assertTrue(containers.contains("vol/c1"));
        assertTrue(agent.allows("vol"));
        ack(last(), true, 9);
        assertTrue(agent.allows("vol"));
    }

    @Test
    void anAgentRestartAfterItsDeadlineKillsWhatItFinds() {
        runningWriter();
        now += t.lease().toNanos();
        agent = newAgent(2);
        agent.tick();
        assertFalse(containers.contains("vol/c1"), "an expired lease file grants nothing");
    }

    @Test
    void acksOfAnotherIncarnationAreIgnored() {
        agent.tick();
        Heartbeat hb = last();
        agent.onAck(new HeartbeatAck("c1", now, "a", 99, hb.seq(), List.of(new HeartbeatAck.VolumeGrant("vol", true, 3, 10))));
        assertFalse(agent.allows("vol"));
    }

    @Test
    void theFenceCommandKillsThenUnmountsAndPrepareIsReported() {
        runningWriter();
        agent.onCommand(new AgentCommand.Fence("vol", 3, 12));
        agent.tick();
        agent.tick();
        assertFalse(containers.contains("vol/c1"));
        assertFalse(volumes.contains("vol"), "the node-local reference is removed");
        advance(200);
        assertFalse(last().volumes().get("vol").mounted());
        VolumeSpec spec = new VolumeSpec("v2", "s2", "vol2", "local", Map.of(), "/d", null, null, null, false, null, null);
        agent.onCommand(new AgentCommand.Prepare(spec, 5, 1));
        advance(200);
        assertEquals(5, last().volumes().get("vol2").preparedEpoch());
        assertTrue(volumes.contains("vol2"));
        // the node becomes the target of "vol" again: the newer prepare supersedes the old detach
        agent.onCommand(new AgentCommand.Prepare(new VolumeSpec("v", "s", "vol", "local", Map.of(), "/d", null, null,
                null, false, null, null), 4, 13));
        advance(300);
        assertTrue(volumes.contains("vol"), "a stale detach must not remove the freshly prepared volume");
        assertEquals(4, last().volumes().get("vol").preparedEpoch());
    }

    @Test
    void whileDockerdRestartsNothingIsReportedAsConfirmed() {
        runningWriter();
        dockerUp = false;
        ack(last(), false, 11);
        advance(200);
        assertEquals(-1, last().volumes().get("vol").containersAlive(), "unknown is never zero");
        dockerUp = true;
        advance(200);
        assertEquals(0, last().volumes().get("vol").containersAlive());
    }

    // --- returning node (hard case 4) ---

    /** A reference on this node as Relocator's labels show it; created by Relocator, data off-node unless said otherwise. */
    void listed(String volume, boolean createdByRelocator, boolean dataOffNode) {
        volumes.add(volume);
        listed.put(volume, new LocalDocker.LocalVolume(volume, createdByRelocator, dataOffNode));
    }

    void ackGrants(HeartbeatAck.VolumeGrant... grants) {
        agent.onAck(new HeartbeatAck("c1", now, "a", 1, last().seq(), List.of(grants)));
    }

    @Test
    void aReturningNodeKillsAStaleCopyItWasNeverToldAboutAtItsFirstTickBeforeAnyAck() {
        listed("vol", true, true);
        containers.add("vol/stale");
        agent.tick();
        assertFalse(containers.contains("vol/stale"), "no grant, no controller yet: the stale copy dies at the first tick");
        assertTrue(sent.size() == 1 && last().volumes().get("vol").fenced());
        assertFalse(file.allowed().containsKey("vol"), "the wrapper sees no grant either");
        assertTrue(staleRemovals.isEmpty(), "no reference is removed before the controller said it is not granted here");
        assertTrue(volumes.contains("vol"));
    }

    @Test
    void theStaleReferenceIsRemovedOnceTheControllerRevokedItHereAndNothingRuns() {
        listed("vol", true, true);
        containers.add("vol/stale");
        agent.tick();
        ackGrants(new HeartbeatAck.VolumeGrant("vol", false, 0, 20));
        advance(200);
        assertEquals(List.of("vol"), staleRemovals);
        assertFalse(volumes.contains("vol"));
        advance(200);
        assertFalse(last().volumes().get("vol").mounted(), "reported unmounted");
        advance(10_000);
        assertEquals(List.of("vol"), staleRemovals, "removed once");
    }

    @Test
    void neverTheDataOfAPlainLocalVolume() {
        listed("vol", true, false);
        agent.tick();
        ackGrants(new HeartbeatAck.VolumeGrant("vol", false, 0, 20));
        advance(2000);
        assertTrue(staleRemovals.isEmpty());
        assertTrue(volumes.contains("vol"));
    }

    @Test
    void neverAVolumeRelocatorDidNotCreate() {
        listed("vol", false, true);
        containers.add("vol/stale");
        agent.tick();
        ackGrants(new HeartbeatAck.VolumeGrant("vol", false, 0, 20));
        advance(2000);
        assertFalse(containers.contains("vol/stale"), "a relocatable volume's ungranted writer is still fenced");
        assertTrue(staleRemovals.isEmpty(), "but the reference stays: Relocator did not create it");
        assertTrue(volumes.contains("vol"));
    }

    @Test
    void neverOneInUse() {
        listed("vol", true, true);
        containers.add("vol/stubborn");
        slowKill = true;
        agent.tick();
        ackGrants(new HeartbeatAck.VolumeGrant("vol", false, 0, 20));
        advance(2000);
        assertTrue(staleRemovals.isEmpty(), "a container that has not died yet keeps the reference");
        slowKill = false;
        advance(300);
        assertFalse(containers.contains("vol/stubborn"));
        assertEquals(List.of("vol"), staleRemovals);
    }

    @Test
    void neverTheOneGrantedToThisNode() {
        listed("vol", true, true);
        agent.tick();
        ackGrants(new HeartbeatAck.VolumeGrant("vol", true, 3, 20));
        containers.add("vol/c1");
        advance(2000);
        assertTrue(agent.allows("vol"));
        assertTrue(containers.contains("vol/c1"));
        assertTrue(staleRemovals.isEmpty());
        assertTrue(volumes.contains("vol"));
    }

    @Test
    void neverOneANewerPrepareAskedFor() {
        listed("vol", true, true);
        agent.tick();
        VolumeSpec spec = new VolumeSpec("v", "s", "vol", "local", Map.of(), "/d", null, null, null, false, null, null);
        // Attaching to this node: the Prepare and the acks of the same revision (not granted until Starting)
        agent.onCommand(new AgentCommand.Prepare(spec, 4, 21));
        ackGrants(new HeartbeatAck.VolumeGrant("vol", false, 0, 21));
        advance(2000);
        assertTrue(staleRemovals.isEmpty(), "the prepared reference of a relocation to this node stays");
        assertEquals(4, last().volumes().get("vol").preparedEpoch());
        // an older revocation arriving late changes nothing either
        ackGrants(new HeartbeatAck.VolumeGrant("vol", false, 0, 19));
        advance(500);
        assertTrue(staleRemovals.isEmpty());
        // the controller moved on (the target changed): a newer revocation makes it stale
        ackGrants(new HeartbeatAck.VolumeGrant("vol", false, 0, 22));
        advance(500);
        assertEquals(List.of("vol"), staleRemovals);
    }

    @Test
    void aListingThatFailsChangesNothingAndTheNextOneRetries() {
        listed("vol", true, true);
        containers.add("vol/stale");
        dockerUp = false;
        agent.tick();
        dockerUp = true;
        advance(1200);
        assertFalse(containers.contains("vol/stale"), "found at the next listing");
    }

    // ------------------------------------------------------------------ hand-over to the next instance

    static final java.time.Duration HANDOVER = java.time.Duration.ofSeconds(30);

    HeartbeatAck ackWithExtension(Heartbeat hb, long extensionNanos) {
        return new HeartbeatAck("c1", now, "a", hb.incarnation(), hb.seq(),
                List.of(new HeartbeatAck.VolumeGrant("vol", true, 3, 10)), extensionNanos);
    }

    @Test
    void aHandOverAsksAtOnceAndExtendsTheLeaseFileOnlyWhenTheControllerGrantsIt() {
        runningWriter();
        long before = agent.effectiveDeadline();
        int sentBefore = sent.size();
        assertTrue(agent.requestHandover(HANDOVER));
        assertEquals(sentBefore + 1, sent.size(), "asked at once, not at the next heartbeat");
        Heartbeat ask = last();
        long sendTime = now;
        assertEquals(HANDOVER.toNanos(), ask.handoverNanos());
        assertEquals(before, agent.effectiveDeadline(), "asking alone extends nothing");
        assertFalse(agent.handedOver());
        now += 20 * MS;
        agent.onAck(ackWithExtension(ask, HANDOVER.toNanos()));
        assertTrue(agent.handedOver());
        assertEquals(sendTime + t.lease().toNanos() + HANDOVER.toNanos(), agent.effectiveDeadline());
        assertEquals(agent.effectiveDeadline(), file.deadlineNanos(), "the wrapper and the next instance read the extension");
        advance(1100);
        assertTrue(last().seq() > ask.seq());
        assertEquals(0, last().handoverNanos(), "granted: not asked again");
    }

    @Test
    void theNextInstanceStartedWithinTheExtensionResumesWithoutKilling() {
        runningWriter();
        agent.requestHandover(HANDOVER);
        agent.onAck(ackWithExtension(last(), HANDOVER.toNanos()));
        // the old instance stops; the new JVM starts 25 s later, far beyond the plain 4 s lease
        now += 25_000 * MS;
        agent = newAgent(2);
        agent.tick();
        assertTrue(agent.allows("vol"));
        assertTrue(containers.contains("vol/c1"), "the writer outlived the gap");
        for (int i = 0; i < 40; i++) {
            Heartbeat hb = last();
            agent.onAck(new HeartbeatAck("c1", now, "a", 2, hb.seq(), List.of(new HeartbeatAck.VolumeGrant("vol", true, 3, 10))));
            advance(1000);
        }
        assertTrue(now > file.deadlineNanos() - t.lease().toNanos(), "past the extension, on the new instance's own renewals");
        assertTrue(containers.contains("vol/c1"), "the new instance renews");
    }

    @Test
    void withoutTheGrantTheNextInstanceFindsAnExpiredLeaseAndKills() {
        runningWriter();
        agent.requestHandover(HANDOVER);
        // no ack: the controller refused (could not record it) or did not answer
        agent.onAck(ackWithExtension(last(), 0));
        assertFalse(agent.handedOver());
        now += 25_000 * MS;
        agent = newAgent(2);
        agent.tick();
        assertFalse(containers.contains("vol/c1"), "a plain lease does not cover a 25 s restart");
    }

    @Test
    void aStoppingControllersExtensionIsTakenAndThenNoAskIsNeeded() {
        runningWriter();
        Heartbeat plain = last();
        agent.onAck(ackWithExtension(plain, HANDOVER.toNanos()));
        assertTrue(agent.effectiveDeadline() >= now + HANDOVER.toNanos(), "granted to every agent by a stopping controller");
        assertFalse(agent.handedOver());
        int before = sent.size();
        assertTrue(agent.requestHandover(HANDOVER));
        assertTrue(agent.handedOver(), "the lease already covers the ask");
        assertEquals(before, sent.size(), "nothing to ask");
    }

    @Test
    void aLongerGrantNeverStretchesTheLeaseBeyondWhatWasAsked() {
        runningWriter();
        agent.requestHandover(HANDOVER);
        long sendTime = now;
        agent.onAck(ackWithExtension(last(), 10 * HANDOVER.toNanos()));
        assertEquals(sendTime + t.lease().toNanos() + HANDOVER.toNanos(), agent.effectiveDeadline());
    }

    @Test
    void anUnansweredAskIsRepeatedAtRetryPaceAndNothingIsAskedWithoutAValidLease() {
        assertFalse(agent.requestHandover(HANDOVER), "no lease yet: nothing to extend");
        assertTrue(sent.stream().allMatch(h -> h.handoverNanos() == 0));
        runningWriter();
        agent.requestHandover(HANDOVER);
        long asks = sent.stream().filter(h -> h.handoverNanos() > 0).count();
        advance(300);
        assertTrue(sent.stream().filter(h -> h.handoverNanos() > 0).count() > asks, "resent until granted");
    }

    @Test
    void aHandOverOfNoExtensionIsRefusedWithTheSettingToFix() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> agent.requestHandover(java.time.Duration.ZERO));
        assertTrue(e.getMessage().contains("relocator.agent.handover-extension"), e.getMessage());
    }
    /** Grants of {@code n} volumes v0..v(n-1) at revision 10 in one ack of the last heartbeat. */
    void grantMany(int n) {
        List<HeartbeatAck.VolumeGrant> grants = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            grants.add(new HeartbeatAck.VolumeGrant("v" + i, true, 3, 10));
        }
        agent.onAck(new HeartbeatAck("c1", now, "a", 1, last().seq(), grants));
    }

    @Test
    void oneContainerListingPerTickHowEverManyVolumesTheNodeKnows() {
        agent.tick();
        grantMany(50);
        for (int i = 0; i < 50; i++) {
            containers.add("v" + i + "/c");
        }
        batchListings = 0;
        for (int k = 1; k <= 10; k++) {
            now += 100 * MS;
            agent.tick();
            assertEquals(k, batchListings, "one listing per tick for 50 volumes");
        }
        assertEquals(0, singleListings, "never one request per volume");
        assertEquals(50, last().volumes().values().stream().filter(r -> r.containersAlive() == 1).count());
        // three revoked at once: killed, and confirmed by one more listing for all three
        List<HeartbeatAck.VolumeGrant> revoke = List.of(new HeartbeatAck.VolumeGrant("v1", false, 0, 11),
                new HeartbeatAck.VolumeGrant("v2", false, 0, 11), new HeartbeatAck.VolumeGrant("v3", false, 0, 11));
        agent.onAck(new HeartbeatAck("c1", now, "a", 1, last().seq(), revoke));
        batchListings = 0;
        now += 100 * MS;
        agent.tick();
        assertEquals(2, batchListings, "the tick's listing and one confirmation for all kills");
        for (String v : List.of("v1", "v2", "v3")) {
            assertFalse(containers.contains(v + "/c"), v + " killed");
        }
        assertTrue(containers.contains("v0/c") && containers.contains("v4/c"), "granted writers untouched");
        advance(1000);
        assertEquals(0, last().volumes().get("v2").containersAlive());
        assertEquals(0, singleListings);
    }

    @Test
    void aSlowPrepareRunsOffTheLoopAndTheHeartbeatGoesOn() {
        preparePolls = 30; // about 3 s of helper containers
        agent.tick();
        ack(last(), true, 10);
        VolumeSpec spec = new VolumeSpec("v2", "s2", "vol2", "local", Map.of(), "/d", null, null, null, false, null, null);
        agent.onCommand(new AgentCommand.Prepare(spec, 5, 1));
        int before = sent.size();
        for (int i = 0; i < 25; i++) {
            now += 100 * MS;
            agent.tick();
            if (last().seq() > 0 && sent.size() > before) {
                ack(last(), true, 10); // the controller keeps answering: the lease must stay renewed meanwhile
            }
            VolumeReport r = last().volumes().get("vol2");
            assertTrue(r == null || r.preparedEpoch() == 0, "not prepared before the verdict");
        }
        assertTrue(sent.size() - before >= 2, "heartbeats went on during the prepare: " + (sent.size() - before));
        assertFalse(agent.lapsed(), "the lease held while the prepare ran");
        assertFalse(volumes.contains("vol2"));
        advance(1000);
        assertEquals(5, last().volumes().get("vol2").preparedEpoch());
        assertTrue(last().volumes().get("vol2").mounted());
        assertEquals("", last().volumes().get("vol2").error());
    }

    @Test
    void aFenceDuringAPrepareRemovesTheReferenceOnlyAfterThePrepareHandedIn() {
        preparePolls = 30;
        agent.tick();
        ack(last(), true, 10);
        VolumeSpec spec = new VolumeSpec("v2", "s2", "vol2", "local", Map.of(), "/d", null, null, null, false, null, null);
        agent.onCommand(new AgentCommand.Prepare(spec, 5, 1));
        agent.tick();
        agent.tick();
        volumes.add("vol2"); // the helper created the reference, the prepare still runs
        agent.onCommand(new AgentCommand.Fence("vol2", 5, 2));
        for (int i = 0; i < 20; i++) {
            now += 100 * MS;
            agent.tick();
            assertTrue(removals.isEmpty(), "no removal under a running prepare");
        }
        assertTrue(last().volumes().get("vol2").mounted(), "the detach is not reported done while the reference exists");
        advance(2000);
        assertEquals(List.of("vol2"), removals, "removed once the prepare handed in");
        assertFalse(volumes.contains("vol2"));
        assertFalse(last().volumes().get("vol2").mounted());
        assertEquals(2, last().volumes().get("vol2").seenRevision());
    }
    @Test
    void aSlowReferenceRemovalRunsOffTheLoopAndTheDetachIsReportedOnlyWhenItIsDone() {
        removalPolls = 20; // about 2 s of a busy engine removing the reference
        runningWriter();
        agent.onCommand(new AgentCommand.Fence("vol", 3, 12));
        int before = sent.size();
        for (int i = 0; i < 18; i++) {
            now += 100 * MS;
            agent.tick();
            if (sent.size() > before) {
                ack(last(), false, 12);
            }
            assertTrue(volumes.contains("vol") || removals.contains("vol"), "still there while the removal runs");
        }
        assertFalse(containers.contains("vol/c1"), "the writer was killed at once, not after the removal");
        assertTrue(removals.isEmpty(), "not removed yet");
        assertTrue(sent.size() - before >= 1, "heartbeats went on");
        assertTrue(last().volumes().get("vol").mounted(), "the detach is not done while the reference exists");
        assertFalse(agent.lapsed());
        advance(1500);
        assertEquals(List.of("vol"), removals, "removed exactly once");
        assertFalse(last().volumes().get("vol").mounted());
        assertEquals(0, last().volumes().get("vol").containersAlive());
        // a new Prepare for the volume now is not disturbed by the finished removal
        agent.onCommand(new AgentCommand.Prepare(new VolumeSpec("v", "s", "vol", "local", Map.of(), "/d", null, null,
                null, false, null, null), 4, 13));
        advance(500);
        assertTrue(volumes.contains("vol"));
        assertEquals(4, last().volumes().get("vol").preparedEpoch());
    }
}
