package dev.relocator.bench;

import dev.relocator.core.controller.Controller;
import dev.relocator.core.controller.ControllerConfig;
import dev.relocator.core.controller.ReconcileResult;
import dev.relocator.core.model.FenceEvidence;
import dev.relocator.core.model.Labels;
import dev.relocator.core.model.NodeInfo;
import dev.relocator.core.model.Phase;
import dev.relocator.core.model.ServiceView;
import dev.relocator.core.model.TaskView;
import dev.relocator.core.model.VolumeSpec;
import dev.relocator.core.model.VolumeState;
import dev.relocator.core.ports.ExternalFence;
import dev.relocator.core.protocol.Heartbeat;
import dev.relocator.core.protocol.VolumeReport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The cost of reconciling, through {@link Controller#reconcile} and the core's ports (in-memory,
 * see {@link InMemoryPorts}), on a 5-node cluster whose agents have all sent a heartbeat.
 *
 * <ul>
 *   <li>{@link #baselineReadAndParse}: the floor of any reconcile, reading the service and the
 *       nodes through the ports and parsing the state labels;</li>
 *   <li>{@link #attachedSteadyState}: one volume Attached on a live node, nothing to do;</li>
 *   <li>{@link #fencingWithEvidence}: one volume in Fencing whose agent confirmed the fence at this
 *       service version: the Fencing → Detaching CAS, its state-change events included;</li>
 *   <li>{@link #round50AllAttached}, {@link #round50OneInTenFencing}: one reconcile round over 50
 *       registered volumes, all Attached, or with every tenth in Fencing with evidence.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
@Fork(value = 2, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ReconcileBenchmark {

    static final int NODES = 5;
    static final int VOLUMES = 50;

    /** 50 volumes, all Attached on live nodes. */
    @State(Scope.Thread)
    public static class AllAttached extends World {
        public AllAttached() {
            super(0);
        }
    }

    /** 50 volumes, every tenth in Fencing with the agent's confirmation at the current version. */
    @State(Scope.Thread)
    public static class OneInTenFencing extends World {
        public OneInTenFencing() {
            super(10);
        }
    }

    public abstract static class World {
        private final int fencingEvery;
        InMemoryPorts.FrozenCluster cluster;
        Controller controller;
        String[] names;
        String attachedName;
        String fencingName;
        final InMemoryPorts.FixedClock clock = new InMemoryPorts.FixedClock();

        World(int fencingEvery) {
            this.fencingEvery = fencingEvery;
        }

        @Setup
        public void setUp() {
            int volumes = VOLUMES;
            cluster = new InMemoryPorts.FrozenCluster();
            List<NodeInfo> nodes = new ArrayList<>();
            for (int n = 0; n < NODES; n++) {
                nodes.add(new NodeInfo(node(n), "host-" + n, n < 3, NodeInfo.Availability.ACTIVE, NodeInfo.SwarmState.READY,
                        Map.of("zone", n % 2 == 0 ? "a" : "b"), n == 0));
            }
            cluster.nodes = List.copyOf(nodes);
            controller = new Controller("ctl-0", ControllerConfig.DEFAULT, clock, cluster, new InMemoryPorts.CountingCommands(),
                    ExternalFence.NONE, new InMemoryPorts.CountingSink());
            Map<String, Map<String, VolumeReport>> reports = new HashMap<>();
            names = new String[volumes];
            for (int i = 0; i < volumes; i++) {
                String name = "pg" + i;
                String volume = "pgdata" + i;
                String service = "app_db" + i;
                String onNode = node(i % NODES);
                boolean fencing = fencingEvery > 0 && i % fencingEvery == fencingEvery - 1;
                VolumeState st = fencing
                        ? new VolumeState(Phase.FENCING, 3, onNode, null, clock.wall, "LeaseExpired", FenceEvidence.NONE, 0, null)
                        : new VolumeState(Phase.ATTACHED, 3, onNode, null, clock.wall, "Started", FenceEvidence.AGENT_CONFIRMED, 0, null);
                long version = 100 + i;
                Map<String, String> labels = new TreeMap<>(st.toLabels());
                labels.put("com.docker.stack.namespace", "app");
                labels.put("com.example.team", "storage");
                List<TaskView> tasks = fencing
                        ? List.of(new TaskView("t" + i, onNode, TaskView.TaskState.SHUTDOWN, "", clock.wall))
                        : List.of(new TaskView("t" + i, onNode, TaskView.TaskState.RUNNING, "", clock.wall));
                cluster.services.put(service, new ServiceView("id-" + service, service, version, labels,
                        st.pinnedNode() == null ? List.of() : List.of(Labels.pin(st.pinnedNode())), st.replicas(), tasks));
                controller.register(new VolumeSpec(name, service, volume, "local", Map.of(), "/var/lib/postgresql/data",
                        null, null, null, false, List.of(), VolumeSpec.TaskFailurePolicy.RESTART));
                reports.computeIfAbsent(onNode, k -> new HashMap<>()).put(volume,
                        fencing ? new VolumeReport(volume, version, true, 0, true, 0, "")
                                : new VolumeReport(volume, version, false, 1, true, 3, ""));
                names[i] = name;
                if (fencing && fencingName == null) {
                    fencingName = name;
                } else if (!fencing && attachedName == null) {
                    attachedName = name;
                }
            }
            if (!controller.leadershipTick()) {
                throw new IllegalStateException("the in-memory cluster must make the controller active");
            }
            for (int n = 0; n < NODES; n++) {
                controller.onHeartbeat(new Heartbeat(node(n), 1, 1, null, reports.getOrDefault(node(n), Map.of())));
            }
            // a benchmark of the wrong step is worse than none: check that each case takes the intended path
            expect(attachedName, "Healthy");
            if (fencingName != null) {
                expect(fencingName, "FencedAgentConfirmed");
            }
        }

        private void expect(String name, String why) {
            ReconcileResult r = controller.reconcile(name);
            if (!r.why().equals(why)) {
                throw new IllegalStateException("reconcile of " + name + " gave " + r.why() + ", expected " + why);
            }
        }
    }

    static String node(int n) {
        return "node" + n + "xxxxxxxxxxxxxxxxxxxx";
    }

    @Benchmark
    public VolumeState baselineReadAndParse(OneInTenFencing w, Blackhole bh) {
        ServiceView svc = w.cluster.service("app_db0").orElseThrow();
        bh.consume(w.cluster.nodes());
        return VolumeState.fromLabels(svc.labels(), w.clock.wallTime());
    }

    @Benchmark
    public ReconcileResult attachedSteadyState(OneInTenFencing w) {
        return w.controller.reconcile(w.attachedName);
    }

    @Benchmark
    public ReconcileResult fencingWithEvidence(OneInTenFencing w) {
        return w.controller.reconcile(w.fencingName);
    }

    @Benchmark
    public void round50AllAttached(AllAttached w, Blackhole bh) {
        for (String name : w.names) {
            bh.consume(w.controller.reconcile(name));
        }
    }

    @Benchmark
    public void round50OneInTenFencing(OneInTenFencing w, Blackhole bh) {
        for (String name : w.names) {
            bh.consume(w.controller.reconcile(name));
        }
    }
}
