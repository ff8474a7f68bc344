package dev.relocator.core.controller;

import dev.relocator.core.model.FenceEvidence;
import dev.relocator.core.events.StateChange;
import dev.relocator.core.model.Labels;
import dev.relocator.core.model.MoveRequest;
import dev.relocator.core.model.NodeInfo;
import dev.relocator.core.model.Phase;
import dev.relocator.core.model.TaskView;
import dev.relocator.core.model.VolumeSpec;
import dev.relocator.core.model.VolumeState;
import dev.relocator.core.model.VolumeStatus;
import dev.relocator.core.ports.ExternalFence;
import dev.relocator.core.protocol.AgentCommand;
import dev.relocator.core.protocol.Heartbeat;
import dev.relocator.core.protocol.HeartbeatAck;
import dev.relocator.core.protocol.VolumeReport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every transition of the per-volume state machine, against in-memory ports. */
class ControllerTest {

    Fakes.ManualClock clock;
    Fakes.Cluster cluster;
    Fakes.Commands commands;
    Fakes.Fence fence;
    Fakes.Events events;
    Controller ctl;
    VolumeSpec spec;
    final Map<String, Long> stamps = new HashMap<>();
    final Map<String, Map<String, VolumeReport>> reports = new HashMap<>();
    long seq;

    @BeforeEach
    void setUp() {
        init(false, VolumeSpec.TaskFailurePolicy.RESTART);
    }

    void init(boolean externalFence, VolumeSpec.TaskFailurePolicy policy) {
        clock = new Fakes.ManualClock();
        cluster = new Fakes.Cluster().node("a").node("b").node("c");
        commands = new Fakes.Commands();
        fence = new Fakes.Fence();
        events = new Fakes.Events();
        spec = new VolumeSpec("pgdata", "db", "vol", "local", Map.of(), "/data", null, null, null, externalFence,
                List.of(), policy);
        ctl = newController("c1");
    }

    Controller newController(String id) {
        Controller c = new Controller(id, ControllerConfig.DEFAULT, clock, cluster, commands, fence, events);
        c.register(spec);
        assertTrue(c.leadershipTick());
        return c;
    }

    ReconcileResult reconcile() {
        return ctl.reconcile("pgdata");
    }

    HeartbeatAck beat(String node) {
        Long st = stamps.get(node);
        Heartbeat.LeaseProof p = st == null ? null : new Heartbeat.LeaseProof(ctl.id(), st, 1_800_000_000L, 0);
        Optional<HeartbeatAck> a = ctl.onHeartbeat(new Heartbeat(node, 1, ++seq, p,
                reports.getOrDefault(node, Map.of())));
        a.ifPresent(x -> stamps.put(node, x.stampNanos()));
        return a.orElse(null);
    }

    /** Heartbeats from the given nodes every 500 ms for {@code millis}, renewing leadership on the way. */
    void beat(long millis, String... nodes) {
        for (long t = 0; t < millis; t += 500) {
            clock.advanceMillis(500);
            ctl.leadershipTick();
            for (String n : nodes) {
                beat(n);
            }
        }
    }

    void report(String node, long seenVersion, boolean fenced, int alive, boolean mounted, long prepared, String error) {
        reports.computeIfAbsent(node, k -> new HashMap<>())
                .put("vol", new VolumeReport("vol", seenVersion, fenced, alive, mounted, prepared, error));
    }

    /** Writes a state as a previous CAS would have: with a controller revision, here below Swarm's version. */
    void state(VolumeState s) {
        cluster.labels = new java.util.TreeMap<>(s.toLabels());
        cluster.labels.put(Labels.REVISION, Long.toString(cluster.version - 3));
        cluster.replicas = s.replicas();
        cluster.constraints = s.pinnedNode() == null ? List.of() : List.of(Labels.pin(s.pinnedNode()));
    }

    /** The controller revision of the state in the service now. */
    long revision() {
        return VolumeState.revisionOf(cluster.labels);
    }

    VolumeState st() {
        return VolumeState.fromLabels(cluster.labels, Instant.EPOCH);
    }

    static VolumeState s(Phase p, long epoch, String node, String target) {
        return new VolumeState(p, epoch, node, target, Instant.EPOCH, "Test", FenceEvidence.NONE, 0,
                p == Phase.FAILED ? Phase.DETACHING : null);
    }

    void attachedOn(String node, long epoch) {
        state(s(Phase.ATTACHED, epoch, node, null));
        cluster.runningTaskOn(node);
    }

    // ------------------------------------------------------------------ Pending

    @Test
    void pendingChoosesTheLeastLoadedLiveTargetAndPinsItWithZeroReplicas() {
        reconcile();
        beat(1000, "a", "b", "c");
        reconcile();
        assertEquals("Attaching", cluster.phase());
        assertEquals("a", st().target(), "ties break by node id");
        assertEquals(0, cluster.replicas);
        assertEquals(List.of("node.id==a"), cluster.constraints);
        assertEquals(FenceEvidence.NEVER_ATTACHED, st().evidence());
    }

    @Test
    void pendingWithoutLiveAgentsDoesNotPlace() {
        reconcile();
        assertEquals(null, cluster.phase());
        assertEquals(0, cluster.updates);
    }

    @Test
    void pendingFencesARunningUnmanagedTaskBeforeTheFirstAttachment() {
        cluster.runningTaskOn("b");
        cluster.replicas = 1;
        reconcile();
        assertEquals("Fencing", cluster.phase(), "an adopted writer is fenced and restarted under the protocol");
        assertEquals("b", st().node());
        assertEquals(0, st().epoch());
        assertEquals(0, cluster.replicas);
        assertEquals(List.of("node.id==b"), cluster.constraints);
    }

    @Test
    void pendingScalesAStrayServiceToZeroBeforePlacing() {
        cluster.replicas = 1;
        reconcile();
        assertEquals(0, cluster.replicas);
    }

    // ------------------------------------------------------------------ Attaching, Starting

    @Test
    void attachingSendsPrepareAndStartingIsOneCasMovingPinEpochAndReplicas() {
        state(s(Phase.ATTACHING, 4, "a", "b"));
        reconcile();
        beat(600, "a", "b", "c");
        reconcile();
        assertTrue(commands.sent.contains("b:Prepare"));
        assertEquals("Attaching", cluster.phase(), "no start before the target reports the volume prepared");
        AgentCommand.Prepare p = (AgentCommand.Prepare) commands.commands.get(commands.commands.size() - 1);
        assertEquals(5, p.epoch());
        report("b", revision(), false, 0, true, 5, "");
        beat("b");
        int before = cluster.updates;
        reconcile();
        assertEquals(before + 1, cluster.updates, "exactly one CAS");
        assertEquals("Starting", cluster.phase());
        assertEquals(5, st().epoch());
        assertEquals("b", st().node());
        assertEquals(1, cluster.replicas);
        assertEquals(List.of("node.id==b"), cluster.constraints);
    }

    @Test
    void attachingPicksAnotherTargetWhenTheChosenOneDies() {
        state(s(Phase.ATTACHING, 4, "a", "b"));
        reconcile();
        beat(600, "a", "c");
        reconcile();
        assertEquals("Attaching", cluster.phase());
        assertEquals("c", st().target());
        assertEquals("TargetLost", st().reason());
    }

    @Test
    void attachingFailsAfterTheRetryBudgetWhenPrepareKeepsFailing() {
        ctl = new Controller("c1", ControllerConfig.DEFAULT.withRetry(RetryStrategy.DEFAULT.withMaxAttempts(2)), clock,
                cluster, commands, fence, events);
        ctl.register(spec);
        ctl.leadershipTick();
        state(s(Phase.ATTACHING, 4, "a", "b"));
        beat(600, "a", "b", "c");
        reconcile();
        report("b", revision(), false, 0, false, 0, "VerifyFailed");
        beat("b");
        reconcile();
        assertEquals("Attaching", cluster.phase());
        reconcile();
        assertEquals("Failed", cluster.phase());
        assertEquals(Phase.ATTACHING, st().failedFrom());
        assertEquals(0, cluster.replicas);
    }

    @Test
    void startingBecomesAttachedWhenTheTaskRuns() {
        state(s(Phase.STARTING, 5, "b", "b"));
        reconcile();
        beat(600, "a", "b", "c");
        reconcile();
        assertEquals("Starting", cluster.phase());
        cluster.runningTaskOn("b");
        reconcile();
        assertEquals("Attached", cluster.phase());
        assertEquals(5, st().epoch());
    }

    @Test
    void startingFencesTheTargetWhenItsLeaseExpires() {
        state(s(Phase.STARTING, 5, "b", "b"));
        reconcile();
        beat(3000, "a", "b", "c");
        long expiry = ctl.leaseExpiry("b");
        while (clock.nanos < expiry) {
            beat(500, "a", "c");
        }
        reconcile();
        assertEquals("Fencing", cluster.phase());
        assertEquals("b", st().node());
        assertEquals(5, st().epoch());
    }

    // ------------------------------------------------------------------ Attached → Fencing

    @Test
    void attachedFencesExactlyWhenTheControllerSideLeaseExpires() {
        attachedOn("a", 3);
        reconcile();
        beat(3000, "a", "b", "c");
        long expiry = ctl.leaseExpiry("a");
        long lastReceipt = clock.nanos;
        assertEquals(lastReceipt + ControllerConfig.DEFAULT.timing().lease().toNanos()
                + ControllerConfig.DEFAULT.timing().driftMarginNanos(), expiry);
        while (clock.nanos + 500_000_000L < expiry) {
            beat(500, "b", "c");
        }
        clock.nanos = expiry - 1;
        ctl.leadershipTick();
        reconcile();
        assertEquals("Attached", cluster.phase(), "one nanosecond before expiry nothing moves");
        clock.nanos = expiry;
        reconcile();
        assertEquals("Fencing", cluster.phase());
        assertEquals(0, cluster.replicas, "Fencing scales to zero and keeps the pin");
        assertEquals(List.of("node.id==a"), cluster.constraints);
        assertEquals("LeaseExpired", st().reason());
    }

    @Test
    void aNewControllerTrustsNoExpiryBeforeItsLeaderLeaseAndALeaseHavePassed() {
        attachedOn("a", 3);
        reconcile();
        // no heartbeat from anyone: after a failover the baseline is the activation time
        clock.advanceMillis(6_500);
        ctl.leadershipTick();
        reconcile();
        assertEquals("Attached", cluster.phase());
        clock.advanceMillis(200);
        ctl.leadershipTick();
        reconcile();
        assertEquals("Fencing", cluster.phase());
    }

    @Test
    void drainingTheNodeStartsARelocation() {
        attachedOn("a", 3);
        cluster.node("a", NodeInfo.Availability.DRAIN, NodeInfo.SwarmState.READY, Map.of());
        reconcile();
        beat(500, "a", "b", "c");
        reconcile();
        assertEquals("Fencing", cluster.phase());
        assertEquals("NodeDrained", st().reason());
    }

    @Test
    void repeatedTaskFailuresRelocateOnlyUnderTheRelocatePolicy() {
        for (VolumeSpec.TaskFailurePolicy policy : VolumeSpec.TaskFailurePolicy.values()) {
            init(false, policy);
            attachedOn("a", 3);
            List<TaskView> tasks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                tasks.add(new TaskView("f" + i, "a", TaskView.TaskState.FAILED, "volume in use", clock.wallTime()));
            }
            cluster.tasks = tasks;
            reconcile();
            beat(500, "a", "b", "c");
            reconcile();
            assertEquals(policy == VolumeSpec.TaskFailurePolicy.RELOCATE ? "Fencing" : "Attached", cluster.phase(),
                    policy.name());
        }
    }

    @Test
    void aHealthyAttachmentIsLeftAloneAndItsShapeIsRepaired() {
        attachedOn("a", 3);
        cluster.replicas = 2;
        reconcile();
        beat(500, "a", "b", "c");
        reconcile();
        assertEquals("Attached", cluster.phase());
        assertEquals(1, cluster.replicas);
        int updates = cluster.updates;
        beat(500, "a", "b", "c");
        reconcile();
        assertEquals(updates, cluster.updates, "nothing to write when nothing changed");
    }

    // ------------------------------------------------------------------ Fencing → Detaching

    @Test
    void fencingAcceptsTheAgentsConfirmationOnlyAtTheFencingRevision() {
        state(s(Phase.FENCING, 3, "a", null));
        reconcile();
        beat(500, "a", "b", "c");
        report("a", revision() - 1, true, 0, true, 0, "");
        beat("a");
        reconcile();
        assertEquals("Fencing", cluster.phase(), "a report that has not seen the revocation is no evidence");
        report("a", revision(), true, 1, true, 0, "");
        beat("a");
        reconcile();
        assertEquals("Fencing", cluster.phase(), "a container still alive is no evidence");
        report("a", revision(), true, 0, true, 0, "");
        beat("a");
        reconcile();
        assertEquals("Detaching", cluster.phase());
        assertEquals(FenceEvidence.AGENT_CONFIRMED, st().evidence());
    }

    @Test
    void fencingAcceptsLeaseExpiryWhenAPeerMajorityIsProvenLeased() {
        state(s(Phase.FENCING, 3, "a", null));
        reconcile();
        beat(3000, "a", "b", "c");
        long expiry = ctl.leaseExpiry("a");
        while (clock.nanos < expiry) {
            beat(500, "b", "c");
        }
        reconcile();
        assertEquals("Detaching", cluster.phase());
        assertEquals(FenceEvidence.LEASE_EXPIRED, st().evidence());
    }

    @Test
    void fencingRefusesLeaseExpiryWhenThePeersMayBeInAnOutageToo() {
        state(s(Phase.FENCING, 3, "a", null));
        reconcile();
        beat(3000, "a", "b", "c");
        long expiry = ctl.leaseExpiry("a");
        // only b keeps renewing; c is silent as well: a may hold a permit from c and itself
        while (clock.nanos < expiry + 5_000_000_000L) {
            beat(500, "b");
        }
        reconcile();
        assertEquals("Fencing", cluster.phase());
        assertTrue(events.all.stream().anyMatch(e -> "PeerMajorityUnproven".equals(e.phase())));
    }

    @Test
    void fencingWithAnExternalFenceIgnoresLeaseExpiryAndWaitsForThePowerOff() {
        init(true, VolumeSpec.TaskFailurePolicy.RESTART);
        fence.configured = true;
        state(s(Phase.FENCING, 3, "a", null));
        reconcile();
        beat(3000, "a", "b", "c");
        long expiry = ctl.leaseExpiry("a");
        while (clock.nanos < expiry) {
            beat(500, "b", "c");
        }
        reconcile();
        assertEquals("Fencing", cluster.phase());
        assertTrue(fence.requested.contains("a"));
        fence.confirmed.add("a");
        reconcile();
        assertEquals("Detaching", cluster.phase());
        assertEquals(FenceEvidence.EXTERNAL_FENCE, st().evidence());
    }

    // ------------------------------------------------------------------ Detaching → Attaching

    @Test
    void detachingWaitsForTheReachableSourceToUnmountThenChoosesAnotherNode() {
        state(s(Phase.DETACHING, 3, "a", null));
        reconcile();
        beat(500, "a", "b", "c");
        reconcile();
        assertTrue(commands.sent.contains("a:Fence"));
        assertEquals("Detaching", cluster.phase());
        report("a", revision(), true, 0, false, 0, "");
        beat("a");
        reconcile();
        assertEquals("Attaching", cluster.phase());
        assertEquals("b", st().target());
        assertEquals("a", st().node());
    }

    @Test
    void detachingAnUnreachableSourceMovesOnWithoutIt() {
        state(s(Phase.DETACHING, 3, "a", null));
        reconcile();
        beat(600, "b", "c");
        reconcile();
        assertEquals("Attaching", cluster.phase());
        assertFalse(commands.sent.contains("a:Fence"));
    }

    /** Detaching with no other node heartbeating: the retries run out and the volume goes to Failed. */
    void detachWithoutATargetUntilFailed() {
        state(s(Phase.DETACHING, 3, "a", null));
        reconcile();
        int attempts = 0;
        while (!"Failed".equals(cluster.phase()) && attempts++ < 20) {
            clock.advanceMillis(100);
            ctl.leadershipTick();
            reconcile();
        }
    }

    @Test
    void detachingWithoutAnEligibleTargetRetriesThenFails() {
        detachWithoutATargetUntilFailed();
        assertEquals("Failed", cluster.phase());
        assertEquals("NoEligibleNode", st().reason());
    }

    @Test
    void failedForWantOfATargetRetriesAsSoonAsOneHeartbeatsNotAfterTheBackOff() {
        detachWithoutATargetUntilFailed();
        assertEquals("NoEligibleNode", st().reason());
        clock.advanceMillis(200);
        ctl.leadershipTick();
        reconcile();
        assertEquals("Failed", cluster.phase(), "still no target: it waits for the back-off");
        beat("b"); // the only other node's agent is back (its operator was replaced)
        reconcile();
        assertEquals("Detaching", cluster.phase(), "retried at once, long before failedRetry");
        assertEquals(1, st().attempt());
    }

    // ------------------------------------------------------------------ Failed, CAS, leadership, failover

    @Test
    void failedRetriesThePhaseItFailedInAfterTheBackOff() {
        state(s(Phase.FAILED, 3, "a", null));
        reconcile();
        assertEquals("Failed", cluster.phase());
        clock.advanceMillis(RetryStrategy.DEFAULT.failedRetry().toMillis());
        ctl.leadershipTick();
        reconcile();
        assertEquals("Detaching", cluster.phase());
        assertEquals(1, st().attempt());
    }

    @Test
    void aStaleCasChangesNothingAndRequeuesImmediately() {
        attachedOn("a", 3);
        cluster.node("a", NodeInfo.Availability.DRAIN, NodeInfo.SwarmState.READY, Map.of());
        cluster.staleNext = true;
        ReconcileResult r = reconcile();
        assertEquals("StaleVersion", r.why());
        assertEquals(Duration.ZERO, r.requeueAfter());
        assertEquals("Attached", cluster.phase());
        reconcile();
        assertEquals("Fencing", cluster.phase());
    }

    /**
     * Regression (found on a real Swarm): Swarm's updater bumps the service version after every
     * update, so a report keyed to the version always lagged and Fencing waited forever. Keyed to
     * the controller revision, the confirmation counts however far Swarm moved the version.
     */
    @Test
    void fencingAcceptsTheConfirmationWhileSwarmKeepsMovingTheVersion() {
        state(s(Phase.FENCING, 3, "a", null));
        reconcile();
        beat(500, "a", "b", "c");
        long fencingRevision = revision();
        cluster.version += 2;
        report("a", fencingRevision, true, 0, true, 0, "");
        beat("a");
        cluster.version += 1;
        reconcile();
        assertEquals("Detaching", cluster.phase());
        assertEquals(FenceEvidence.AGENT_CONFIRMED, st().evidence());
        assertTrue(revision() > fencingRevision);
    }

    @Test
    void detachingCompletesWhileSwarmKeepsMovingTheVersion() {
        state(s(Phase.DETACHING, 3, "a", null));
        reconcile();
        beat(500, "a", "b", "c");
        reconcile();
        AgentCommand.Fence f = (AgentCommand.Fence) commands.commands.get(commands.commands.size() - 1);
        assertEquals(revision(), f.revision(), "commands carry the controller revision, not Swarm's version");
        cluster.version += 2;
        report("a", f.revision(), true, 0, false, 0, "");
        beat("a");
        cluster.version += 1;
        reconcile();
        assertEquals("Attaching", cluster.phase());
    }

    @Test
    void aReportFromBeforeTheCurrentPhaseIsNoEvidenceEvenAfterTheVersionMoved() {
        state(s(Phase.FENCING, 3, "a", null));
        long before = revision();
        // the agent confirmed an earlier Fencing (revision - 1); the Fencing now in force is newer
        report("a", before - 1, true, 0, true, 0, "");
        reconcile();
        beat(500, "a", "b", "c");
        reconcile();
        assertEquals("Fencing", cluster.phase());
        assertTrue(cluster.version > before, "Swarm's version is above the report, which must not matter");
    }

    @Test
    void everyCasWritesARevisionAboveTheStateItReadAndAboveTheVersionItReadAt() {
        attachedOn("a", 3);
        long rev = revision();
        long readAt = cluster.version;
        cluster.node("a", NodeInfo.Availability.DRAIN, NodeInfo.SwarmState.READY, Map.of());
        reconcile();
        assertEquals("Fencing", cluster.phase());
        assertEquals(Math.max(rev, readAt) + 1, revision());
        cluster.labels.remove(Labels.REVISION);
        assertEquals(0, revision(), "an absent revision reads as 0");
        cluster.labels.put(Labels.REVISION, "x");
        assertEquals("MalformedLabels", reconcile().why());
    }

    @Test
    void aCasLostOnlyToSwarmsOwnBumpsIsRetriedAgainstTheNewVersion() {
        attachedOn("a", 3);
        cluster.node("a", NodeInfo.Availability.DRAIN, NodeInfo.SwarmState.READY, Map.of());
        cluster.swarmBumpsBeforeCas = Controller.SWARM_BUMP_RETRIES;
        ReconcileResult r = reconcile();
        assertEquals("NodeDrained", r.why());
        assertEquals("Fencing", cluster.phase());
        assertEquals(1, cluster.updates);
    }

    @Test
    void swarmBumpsBeyondTheRetryBoundRequeueWithoutWriting() {
        attachedOn("a", 3);
        cluster.node("a", NodeInfo.Availability.DRAIN, NodeInfo.SwarmState.READY, Map.of());
        cluster.swarmBumpsBeforeCas = Controller.SWARM_BUMP_RETRIES + 1;
        ReconcileResult r = reconcile();
        assertEquals("StaleVersion", r.why());
        assertEquals(Duration.ZERO, r.requeueAfter());
        assertEquals("Attached", cluster.phase());
        assertEquals(0, cluster.updates);
        reconcile();
        assertEquals("Fencing", cluster.phase());
    }

    @Test
    void aControllerThatIsNotLeaderNeitherWritesNorAnswersHeartbeats() {
        cluster.leader = false;
        Controller other = new Controller("c2", ControllerConfig.DEFAULT, clock, cluster, commands, fence, events);
        other.register(spec);
        assertFalse(other.leadershipTick());
        assertEquals("NotLeader", other.reconcile("pgdata").why());
        assertTrue(other.onHeartbeat(new Heartbeat("a", 1, 1, null, Map.of())).isEmpty());
        assertEquals(0, cluster.updates);
    }

    @Test
    void aControllerStopsActingWhenItsLeaderLeaseRunsOut() {
        reconcile();
        assertTrue(ctl.acting());
        clock.advanceMillis(ControllerConfig.DEFAULT.leaderLease().toMillis());
        assertFalse(ctl.acting(), "no proof of leadership within the leader lease: no acks, no writes");
        assertTrue(ctl.onHeartbeat(new Heartbeat("a", 1, 1, null, Map.of())).isEmpty());
    }

    @Test
    void aNewControllerResumesFromThePhaseStoredInSwarm() {
        state(s(Phase.DETACHING, 3, "a", null));
        ctl = newController("c2");
        reconcile();
        beat(600, "b", "c");
        reconcile();
        assertEquals("Attaching", cluster.phase(), "resumed at Detaching, not restarted");
        assertEquals(3, st().epoch());
    }

    @Test
    void acksGrantOnlyTheAttachedNodeAndRevokeWhileRelocating() {
        attachedOn("a", 3);
        reconcile();
        HeartbeatAck toA = beat("a");
        HeartbeatAck toB = beat("b");
        assertTrue(toA.grants().get(0).granted());
        assertEquals(3, toA.grants().get(0).epoch());
        assertFalse(toB.grants().get(0).granted());
        state(s(Phase.FENCING, 3, "a", null));
        reconcile();
        HeartbeatAck revoked = beat("a");
        assertFalse(revoked.grants().get(0).granted());
        assertEquals(revision(), revoked.grants().get(0).revision());
    }

    @Test
    void noAckBeforeEveryVolumeWasReadInThisTerm() {
        assertNull(beat("a"), "grants must reflect Swarm's state, not nothing");
        reconcile();
        assertTrue(beat("a") != null);
    }

    @Test
    void everyTransitionIsPublishedKeyedByTheVolumeWithItsEpochAndEvidence() {
        state(s(Phase.FENCING, 3, "a", null));
        reconcile();
        beat(500, "a", "b", "c");
        report("a", revision(), true, 0, true, 0, "");
        beat("a");
        events.all.clear();
        reconcile();
        dev.relocator.core.events.StateChange phase = events.all.stream()
                .filter(e -> e.type().equals(dev.relocator.core.events.StateChange.Types.PHASE_CHANGED)).findFirst()
                .orElseThrow();
        assertEquals("pgdata", phase.key());
        assertEquals("Detaching", phase.phase());
        assertEquals(3, phase.epoch());
        assertEquals("Fencing", phase.data().get("fromPhase"));
        assertEquals("AGENT_CONFIRMED", phase.data().get("evidence"));
        assertTrue(events.all.stream().anyMatch(e -> e.type().equals(dev.relocator.core.events.StateChange.Types
                .NODE_HEALTH_CHANGED) && e.subject().equals("a") && e.phase().equals("Fenced")));
    }

    // ------------------------------------------------------------------ day-2: planned moves and drains

    void respec(VolumeSpec s) {
        spec = s;
        ctl.register(s);
    }

    long events(String type, String phase) {
        return events.all.stream().filter(e -> e.type().equals(type) && phase.equals(e.phase())).count();
    }

    /** Attached on a with every agent heartbeating and proven leased. */
    void healthyOnA() {
        attachedOn("a", 3);
        reconcile();
        beat(3000, "a", "b", "c");
        reconcile();
        assertEquals("Attached", cluster.phase());
    }

    @Test
    void aMoveToANodeThatCannotTakeTheVolumeIsRefusedUpFrontAndTheWriterStays() {
        record Case(String name, String target, Runnable setup, String mentions) {
        }
        List<Case> cases = List.of(
                new Case("not in the swarm", "ghost", () -> { }, "not a member of the swarm"),
                new Case("the current node", "a", () -> { }, "must leave"),
                new Case("drained in Swarm", "b",
                        () -> cluster.node("b", NodeInfo.Availability.DRAIN, NodeInfo.SwarmState.READY, Map.of()), "drain"),
                new Case("down in Swarm", "b",
                        () -> cluster.node("b", NodeInfo.Availability.ACTIVE, NodeInfo.SwarmState.DOWN, Map.of()), "down"),
                new Case("no live agent", "d", () -> cluster.node("d"), "no heartbeat"),
                new Case("outside the placement", "c", () -> {
                    cluster.node("a", NodeInfo.Availability.ACTIVE, NodeInfo.SwarmState.READY, Map.of("zone", "x"));
                    cluster.node("b", NodeInfo.Availability.ACTIVE, NodeInfo.SwarmState.READY, Map.of("zone", "x"));
                    respec(new VolumeSpec("pgdata", "db", "vol", "local", Map.of(), "/data", null, null, null, false,
                            List.of("node.labels.zone==x"), null));
                }, "spec.placement"));
        for (Case k : cases) {
            setUp();
            k.setup().run();
            healthyOnA();
            respec(spec.withMove(k.target().equals("a") ? new MoveRequest("a", "a", Instant.EPOCH)
                    : MoveRequest.relocateTo(k.target(), Instant.EPOCH)));
            int updates = cluster.updates;
            events.all.clear();
            for (int i = 0; i < 3; i++) {
                beat(500, "a", "b", "c");
                assertEquals("TargetUnavailable", reconcile().why(), k.name());
            }
            assertEquals("Attached", cluster.phase(), k.name());
            assertEquals(updates, cluster.updates, k.name() + ": no CAS, the healthy writer is never stopped");
            VolumeStatus st = ctl.status("pgdata").orElseThrow();
            assertEquals("TargetUnavailable", st.waitingReason(), k.name());
            assertTrue(st.waitingDetail().contains(k.target()) && st.waitingDetail().contains(k.mentions()),
                    k.name() + ": " + st.waitingDetail());
            assertEquals(1, events(StateChange.Types.ERROR, "TargetUnavailable"), k.name() + ": published once");
        }
    }

    @Test
    void aPlannedMoveWaitsForTheSourcesConfirmationGoesToTheRequestedNodeAndReportsItsDowntime() {
        healthyOnA();
        respec(spec.withMove(MoveRequest.relocateTo("c", Instant.EPOCH)));
        reconcile();
        assertEquals("Fencing", cluster.phase());
        assertEquals("PlannedMove", st().reason());
        assertEquals("c", st().target(), "the requested target, not the least loaded b");
        assertEquals(0, cluster.replicas);
        Instant stopped = clock.wallTime();
        assertEquals(stopped, st().relocation().started());
        // The source is alive: no lease expiry will come, only its confirmation moves the volume on.
        beat(10_000, "a", "b", "c");
        reconcile();
        assertEquals("Fencing", cluster.phase(), "a planned move never fences by the clock");
        // A controller failover in the middle keeps the relocation's start (it is in the labels).
        ctl = newController("c2");
        reconcile();
        beat(500, "a", "b", "c");
        report("a", revision(), true, 0, true, 0, "");
        beat("a");
        reconcile();
        assertEquals("Detaching", cluster.phase());
        assertEquals(FenceEvidence.AGENT_CONFIRMED, st().evidence());
        reconcile();
        report("a", revision(), true, 0, false, 0, "");
        beat("a");
        reconcile();
        assertEquals("Attaching", cluster.phase());
        assertEquals("c", st().target());
        reconcile();
        report("c", revision(), false, 0, true, 4, "");
        beat("c");
        reconcile();
        assertEquals("Starting", cluster.phase());
        assertEquals("c", st().node());
        clock.advanceMillis(700);
        ctl.leadershipTick();
        cluster.runningTaskOn("c");
        events.all.clear();
        reconcile();
        assertEquals("Attached", cluster.phase());
        assertNull(st().relocation(), "the Attached CAS drops the relocation labels");
        assertEquals("", cluster.labels.get(Labels.RELOCATION_STARTED));
        StateChange done = events.all.stream().filter(e -> e.type().equals(StateChange.Types.PHASE_CHANGED))
                .findFirst().orElseThrow();
        long downtime = Duration.between(stopped, clock.wallTime()).toMillis();
        assertEquals(downtime, done.data().get("downtimeMillis"));
        assertEquals("PlannedMove", done.data().get("trigger"));
        assertEquals("a", done.data().get("from"));
        assertEquals("c", done.data().get("to"));
        assertEquals("Starting", done.data().get("fromPhase"));
        VolumeStatus.LastRelocation last = ctl.status("pgdata").orElseThrow().lastRelocation();
        assertEquals(new VolumeStatus.LastRelocation("a", "c", "PlannedMove", stopped, clock.wallTime(),
                Duration.ofMillis(downtime)), last);
        assertTrue(downtime > 10_000);
    }

    @Test
    void aDrainWithNoOtherEligibleNodeIsRefusedAndOneWithAnotherMovesOffTheNode() {
        for (boolean other : new boolean[]{false, true}) {
            setUp();
            cluster.node("a", NodeInfo.Availability.ACTIVE, NodeInfo.SwarmState.READY, Map.of("zone", "x"));
            cluster.node("c", NodeInfo.Availability.ACTIVE, NodeInfo.SwarmState.READY, Map.of("zone", other ? "x" : "y"));
            respec(new VolumeSpec("pgdata", "db", "vol", "local", Map.of(), "/data", null, null, null, false,
                    List.of("node.labels.zone==x"), null));
            healthyOnA();
            respec(spec.withMove(MoveRequest.drainFrom("a", Instant.EPOCH)));
            beat(500, "a", "b", "c");
            reconcile();
            if (!other) {
                assertEquals("Attached", cluster.phase());
                VolumeStatus st = ctl.status("pgdata").orElseThrow();
                assertEquals("NoEligibleNode", st.waitingReason());
                assertTrue(st.waitingDetail().contains("drain of node a"), st.waitingDetail());
                continue;
            }
            assertEquals("Fencing", cluster.phase());
            assertEquals("NodeDrain", st().reason());
            report("a", revision(), true, 0, true, 0, "");
            beat("a");
            reconcile();
            reconcile();
            report("a", revision(), true, 0, false, 0, "");
            beat("a");
            reconcile();
            assertEquals("Attaching", cluster.phase());
            assertEquals("c", st().target(), "chosen by placement, excluding the drained node");
        }
    }

    @Test
    void aSwarmDrainKeepsThePinUntilTheSourceConfirms() {
        healthyOnA();
        cluster.node("a", NodeInfo.Availability.DRAIN, NodeInfo.SwarmState.READY, Map.of());
        reconcile();
        assertEquals("Fencing", cluster.phase());
        assertEquals(List.of("node.id==a"), cluster.constraints, "Swarm cannot start the task anywhere else");
        assertNull(st().target());
        assertEquals("NodeDrained", st().relocation().trigger());
    }

    // ------------------------------------------------------------------ day-2: pause and maintenance

    @Test
    void pauseHoldsALeaseExpiryTriggerOnceAndAResumeActsAtOnce() {
        healthyOnA();
        respec(spec.withPaused(true));
        events.all.clear();
        long expiry = ctl.leaseExpiry("a");
        while (clock.nanos < expiry + 2_000_000_000L) {
            beat(500, "b", "c");
            assertEquals("Paused", reconcile().why());
        }
        assertEquals("Attached", cluster.phase(), "no relocation starts while paused");
        VolumeStatus st = ctl.status("pgdata").orElseThrow();
        assertEquals("Paused", st.waitingReason());
        assertTrue(st.waitingDetail().contains("LeaseExpired of node a"), st.waitingDetail());
        assertEquals(1, events(StateChange.Types.ERROR, "Paused"), "published once, not per poll");
        assertTrue(fence.requests.isEmpty());
        respec(spec.withPaused(false));
        reconcile();
        assertEquals("Fencing", cluster.phase());
        assertEquals("LeaseExpired", st().reason());
        assertEquals(1, events.all.stream().filter(e -> e.type().equals(StateChange.Types.RESUMED)).count());
    }

    @Test
    void maintenanceHoldsNewRelocationsAndFirstPlacementsButNotOneInFlight() {
        // in flight: Fencing → Detaching → Attaching continue under maintenance
        state(s(Phase.FENCING, 3, "a", null));
        reconcile();
        beat(500, "a", "b", "c");
        ctl.setMaintenance(true, "switch upgrade");
        assertEquals(1, events(StateChange.Types.MAINTENANCE_CHANGED, "On"));
        ctl.setMaintenance(true, "switch upgrade");
        assertEquals(1, events(StateChange.Types.MAINTENANCE_CHANGED, "On"), "once per change");
        report("a", revision(), true, 0, true, 0, "");
        beat("a");
        reconcile();
        assertEquals("Detaching", cluster.phase());
        reconcile();
        report("a", revision(), true, 0, false, 0, "");
        beat("a");
        reconcile();
        assertEquals("Attaching", cluster.phase(), "a relocation in flight finishes");
        // new trigger: held
        setUp();
        healthyOnA();
        ctl.setMaintenance(true, "switch upgrade");
        cluster.node("a", NodeInfo.Availability.DRAIN, NodeInfo.SwarmState.READY, Map.of());
        assertEquals("MaintenanceMode", reconcile().why());
        assertEquals("Attached", cluster.phase());
        VolumeStatus st = ctl.status("pgdata").orElseThrow();
        assertEquals("MaintenanceMode", st.waitingReason());
        assertTrue(st.waitingDetail().contains("switch upgrade") && st.waitingDetail().contains("NodeDrained"),
                st.waitingDetail());
        ctl.setMaintenance(false, null);
        reconcile();
        assertEquals("Fencing", cluster.phase());
        // first placement: held
        setUp();
        ctl.setMaintenance(true, "x");
        reconcile();
        beat(1000, "a", "b", "c");
        reconcile();
        assertNull(cluster.phase());
        assertEquals(0, cluster.updates);
        ctl.setMaintenance(false, "");
        reconcile();
        assertEquals("Attaching", cluster.phase());
    }

    // ------------------------------------------------------------------ day-2: the fence hook

    /** Only b and c heartbeat from now on, until {@code until} (controller time). */
    void aGoesSilentUntil(long until) {
        while (clock.nanos < until) {
            beat(500, "b", "c");
            reconcile();
        }
    }

    @Test
    void aConfirmedHookSkipsTheLeaseWait() {
        fence.configured = true;
        healthyOnA();
        long lastFromA = clock.nanos;
        long expiry = ctl.leaseExpiry("a");
        aGoesSilentUntil(lastFromA + 2_500_000_000L);
        assertTrue(fence.requests.isEmpty(), "2.5 s of silence (a blip) powers nothing off");
        aGoesSilentUntil(lastFromA + 3_000_000_000L);
        assertEquals(List.of("a"), fence.requests, "asked at lease - killBudget of silence, before the lease expires");
        fence.confirmed.add("a");
        reconcile();
        assertEquals("Fencing", cluster.phase());
        assertEquals("NodeFenced", st().reason());
        reconcile();
        assertEquals("Detaching", cluster.phase());
        assertEquals(FenceEvidence.EXTERNAL_FENCE, st().evidence());
        assertTrue(clock.nanos < expiry, "evidence before the controller-side lease expiry");
        reconcile();
        assertEquals("Attaching", cluster.phase(), "a powered-off source is not waited for");
    }

    @Test
    void noHookWhenTheControllerItselfHearsNobody() {
        fence.configured = true;
        healthyOnA();
        for (int i = 0; i < 20; i++) {
            clock.advanceMillis(500);
            ctl.leadershipTick();
            reconcile();
        }
        assertTrue(fence.requests.isEmpty(), "silence of every node is the controller's problem, not a's");
    }

    @Test
    void aFailedHookFallsBackToTheLeaseAndIsPublishedOnce() {
        fence.configured = true;
        healthyOnA();
        long expiry = ctl.leaseExpiry("a");
        aGoesSilentUntil(expiry + 500_000_000L);
        assertEquals(List.of("a"), fence.requests);
        assertEquals("Fencing", cluster.phase(), "lease expiry starts the relocation");
        assertEquals("WaitingForFenceHook", ctl.status("pgdata").orElseThrow().waitingReason(),
                "a configured hook is preferred over the lease while it may still answer");
        fence.failed.add("a");
        events.all.clear();
        reconcile();
        assertEquals("Detaching", cluster.phase());
        assertEquals(FenceEvidence.LEASE_EXPIRED, st().evidence());
        reconcile();
        assertEquals(1, events(StateChange.Types.ERROR, "FenceHookFailed"), "published once");
    }

    @Test
    void strictExternalFencingNeverUsesTheLeaseAndRetriesAFailedHook() {
        init(true, VolumeSpec.TaskFailurePolicy.RESTART);
        fence.configured = true;
        healthyOnA();
        long expiry = ctl.leaseExpiry("a");
        aGoesSilentUntil(clock.nanos + 3_500_000_000L);
        assertEquals(List.of("a"), fence.requests);
        fence.failed.add("a");
        aGoesSilentUntil(expiry + 5_000_000_000L);
        assertEquals("Fencing", cluster.phase(), "strict: lease expiry is no evidence, whatever the hook did");
        assertEquals(1, fence.requests.size());
        assertEquals(1, events(StateChange.Types.ERROR, "FenceHookFailed"));
        aGoesSilentUntil(clock.nanos + RetryStrategy.DEFAULT.failedRetry().toNanos());
        assertEquals(2, fence.requests.size(), "a failed hook is retried after the back-off");
        assertEquals("Fencing", cluster.phase());
        fence.confirmed.add("a");
        reconcile();
        assertEquals("Detaching", cluster.phase());
        assertEquals(FenceEvidence.EXTERNAL_FENCE, st().evidence());
    }

    @Test
    void strictExternalFencingWithoutAHookSaysSo() {
        init(true, VolumeSpec.TaskFailurePolicy.RESTART);
        healthyOnA();
        aGoesSilentUntil(ctl.leaseExpiry("a") + 1_000_000_000L);
        assertEquals("Fencing", cluster.phase());
        assertEquals("ExternalFenceNotConfigured", ctl.status("pgdata").orElseThrow().waitingReason());
    }

    @Test
    void aNodeWhoseFenceWasConfirmedIsResetWhenItHeartbeatsAgain() {
        fence.configured = true;
        healthyOnA();
        fence.requested.add("a");
        fence.confirmed.add("a");
        beat("b");
        assertTrue(fence.resets.isEmpty());
        beat("a");
        assertEquals(List.of("a"), fence.resets);
        assertEquals(ExternalFence.State.IDLE, fence.state("a", "vol"), "a later loss is fenced afresh");
    }

    // ------------------------------------------------------------------ status

    @Test
    void statusIsEmptyBeforeTheFirstReadAndCarriesTheWaitingReason() {
        assertTrue(ctl.status("pgdata").isEmpty());
        assertTrue(ctl.status("nope").isEmpty());
        reconcile();
        VolumeStatus st = ctl.status("pgdata").orElseThrow();
        assertEquals(Phase.PENDING, st.state().phase());
        assertEquals("NoEligibleNode", st.waitingReason());
        assertNull(st.lastRelocation());
        cluster.service = "other";
        reconcile();
        st = ctl.status("pgdata").orElseThrow();
        assertNull(st.state());
        assertEquals("ServiceMissing", st.waitingReason());
        assertTrue(st.waitingDetail().contains("db"));
    }

    @Test
    void aBadPlacementConstraintIsRejectedWithTheReason() {
        VolumeSpec bad = new VolumeSpec("x", "db", "vol", "local", Map.of(), "/data", null, null, null, false,
                List.of("node.platform.os==linux"), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ctl.register(bad));
        assertTrue(e.getMessage().contains("unsupported key"), e.getMessage());
    }

    // ------------------------------------------------------------------ agent hand-over (operator update)

    static final long S = 1_000_000_000L;
    static final long HANDOVER = 30 * S;

    HeartbeatAck handoverBeat(String node) {
        Optional<HeartbeatAck> a = ctl.onHeartbeat(new Heartbeat(node, 1, ++seq, null, reports.getOrDefault(node, Map.of()), HANDOVER));
        return a.orElse(null);
    }

    /** Advances to {@code until} in 500 ms steps with heartbeats from b and c only, reconciling on the way. */
    void silentA(long until) {
        while (clock.nanos + 500_000_000L < until) {
            beat(500, "b", "c");
            reconcile();
        }
        clock.nanos = until - 1;
        ctl.leadershipTick();
        reconcile();
    }

    @Test
    void aGrantedHandOverIsRecordedInSwarmFirstAndTheLeaseRunsOnByTheExtension() {
        attachedOn("a", 3);
        reconcile();
        beat(3000, "a", "b", "c");
        reconcile();
        long receipt = clock.nanos;
        HeartbeatAck ack = handoverBeat("a");
        assertEquals(HANDOVER, ack.extensionNanos());
        assertEquals(1, cluster.handoverWrites);
        long recorded = Long.parseLong(cluster.nodes.get("a").labels().get(Controller.HANDOVER_LABEL));
        assertTrue(recorded * 1_000_000L >= HANDOVER, "the record covers the whole extension: " + recorded);
        long expiry = ctl.leaseExpiry("a");
        assertTrue(expiry >= receipt + HANDOVER + ControllerConfig.DEFAULT.timing().lease().toNanos()
                + ControllerConfig.DEFAULT.timing().driftMarginNanos(), "lease + margin counted from the end of the extension");
        silentA(expiry);
        assertEquals("Attached", cluster.phase(), "no relocation while the extension runs");
        assertTrue(fence.requests.isEmpty(), "no fence hook either");
        clock.nanos = expiry;
        ctl.leadershipTick();
        reconcile();
        assertEquals("Fencing", cluster.phase(), "a node that never comes back is relocated once the extension has run out");
        assertEquals("LeaseExpired", st().reason());
    }

    @Test
    void noGrantWithoutTheRecord() {
        attachedOn("a", 3);
        reconcile();
        beat(3000, "a", "b", "c");
        cluster.handoverWritesFail = true;
        HeartbeatAck ack = handoverBeat("a");
        assertEquals(0, ack.extensionNanos(), "an extension Swarm did not record would be forgotten by the next controller");
        assertEquals(clock.nanos + ControllerConfig.DEFAULT.timing().lease().toNanos() + ControllerConfig.DEFAULT.timing().driftMarginNanos(),
                ctl.leaseExpiry("a"), "the plain lease renewed by that heartbeat");
    }

    @Test
    void theExtensionIsCappedAndZeroGrantsNone() {
        ctl = new Controller("c1", ControllerConfig.DEFAULT.withMaxHandover(java.time.Duration.ofSeconds(10)), clock, cluster, commands,
                fence, events);
        ctl.register(spec);
        assertTrue(ctl.leadershipTick());
        attachedOn("a", 3);
        reconcile();
        beat(3000, "a", "b", "c");
        assertEquals(10 * S, handoverBeat("a").extensionNanos());
        ctl = new Controller("c1", ControllerConfig.DEFAULT.withMaxHandover(java.time.Duration.ZERO), clock, cluster, commands, fence, events);
        ctl.register(spec);
        assertTrue(ctl.leadershipTick());
        reconcile();
        beat(3000, "a", "b", "c");
        int writes = cluster.handoverWrites;
        assertEquals(0, handoverBeat("a").extensionNanos());
        assertEquals(writes, cluster.handoverWrites, "disabled: nothing recorded");
    }

    @Test
    void aControllerActivatedDuringAHandOverHonoursTheRecordedExtension() {
        attachedOn("a", 3);
        reconcile();
        beat(3000, "a", "b", "c");
        handoverBeat("a");
        // the controller fails over at once; its successor knows only what Swarm recorded
        clock.advanceMillis(100);
        ctl = newController("c2");
        long activation = clock.nanos;
        reconcile();
        long plain = activation + ControllerConfig.DEFAULT.leaderLease().toNanos() + ControllerConfig.DEFAULT.timing().lease().toNanos()
                + ControllerConfig.DEFAULT.timing().driftMarginNanos();
        assertTrue(ctl.leaseExpiry("a") >= plain + HANDOVER, "the recorded extension is added to the successor's baseline");
        silentA(plain + HANDOVER);
        assertEquals("Attached", cluster.phase(), "the successor waits the extension out too");
        clock.nanos = ctl.leaseExpiry("a");
        ctl.leadershipTick();
        reconcile();
        assertEquals("Fencing", cluster.phase());
    }

    @Test
    void theNextInstanceResumesAndTheRecordIsRemovedOnceTheExtensionHasRunOut() {
        attachedOn("a", 3);
        reconcile();
        beat(3000, "a", "b", "c");
        handoverBeat("a");
        long end = ctl.leaseExpiry("a");
        // 20 s later the new instance heartbeats (another incarnation) and renews as usual
        silentA(clock.nanos + 20 * S);
        beat(3000, "a", "b", "c");
        reconcile();
        assertEquals("Attached", cluster.phase());
        assertTrue(cluster.nodes.get("a").labels().containsKey(Controller.HANDOVER_LABEL), "kept while the extension runs");
        while (clock.nanos < end) {
            beat(500, "a", "b", "c");
            reconcile();
        }
        beat(500, "a", "b", "c");
        reconcile();
        assertFalse(cluster.nodes.get("a").labels().containsKey(Controller.HANDOVER_LABEL),
                "a stale record would delay the node's next failover after a controller change");
        assertEquals("Attached", cluster.phase());
    }

    @Test
    void aStoppingControllerRecordsAnExtensionForEveryNodeAndGrantsItWithEveryAckInItsWindow() {
        attachedOn("a", 3);
        reconcile();
        beat(3000, "a", "b", "c");
        reconcile();
        int writes = cluster.handoverWrites;
        List<String> nodes = ctl.beginHandover(java.time.Duration.ofNanos(HANDOVER), java.time.Duration.ofMillis(2500));
        assertEquals(List.of("a", "b", "c"), nodes);
        assertEquals(writes + 3, cluster.handoverWrites, "one record per node, before any grant");
        for (String n : nodes) {
            assertTrue(cluster.nodes.get(n).labels().containsKey(Controller.HANDOVER_LABEL), n);
        }
        clock.advanceMillis(1000);
        ctl.leadershipTick();
        HeartbeatAck ack = beat("b");
        assertEquals(HANDOVER, ack.extensionNanos(), "an ordinary heartbeat in the window gets the extension");
        assertEquals(writes + 3, cluster.handoverWrites, "already recorded: no write per ack");
        long expiry = ctl.leaseExpiry("b");
        assertTrue(expiry >= clock.nanos + HANDOVER + ControllerConfig.DEFAULT.timing().lease().toNanos(), "honoured for b too");
        clock.advanceMillis(2000);
        ctl.leadershipTick();
        assertEquals(0, beat("c").extensionNanos(), "after the window: plain acks");
        // the successor honours every record
        ctl = newController("c2");
        reconcile();
        assertTrue(ctl.leaseExpiry("c") >= clock.nanos + HANDOVER, "the successor waits the extension out for every node");
    }

    @Test
    void aControllerThatCannotRecordGrantsNothingOnShutdown() {
        attachedOn("a", 3);
        reconcile();
        beat(3000, "a", "b", "c");
        cluster.handoverWritesFail = true;
        assertTrue(ctl.beginHandover(java.time.Duration.ofNanos(HANDOVER), java.time.Duration.ofMillis(2500)).isEmpty());
        clock.advanceMillis(500);
        ctl.leadershipTick();
        assertEquals(0, beat("b").extensionNanos());
    }
}
