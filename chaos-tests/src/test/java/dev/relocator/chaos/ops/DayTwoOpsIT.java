package dev.relocator.chaos.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relocator.chaos.checker.CheckResult;
import dev.relocator.chaos.checker.Verdict;
import dev.relocator.chaos.history.Op;
import dev.relocator.chaos.history.RunData;
import dev.relocator.chaos.history.WriteRecord;
import dev.relocator.chaos.lab.ExecResult;
import dev.relocator.chaos.lab.LabNode;
import dev.relocator.chaos.lab.SwarmLab;
import dev.relocator.chaos.operator.OperatorStack;
import dev.relocator.chaos.operator.PhaseFeed;
import dev.relocator.chaos.report.ChaosReport;
import dev.relocator.chaos.report.ScenarioOutcome;
import dev.relocator.chaos.runner.ChaosProfile;
import dev.relocator.chaos.runner.ScenarioRun;
import dev.relocator.chaos.workload.VolumeKind;
import dev.relocator.chaos.workload.WriterWorkload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Day-2 operations in the lab, with the operator deployed as a stack (issue 8):
 * <ul>
 *   <li>ownership and nosuid after a crash moves the volume: a setuid-root copy of busybox written by
 *       the root workload on the old node does not give the workload's unprivileged user euid 0 on the
 *       new node, and the volume root has the resource's uid/gid/mode; a negative control on a mount
 *       without nosuid shows the probe does see euid 0 there;</li>
 *   <li>the returning node: after the crashed node comes back, no copy of the workload on it writes
 *       to the volume after the new epoch, an unwrapped stale container with a restart policy is
 *       killed and stays dead, and the stale volume reference Relocator created there is removed
 *       (data kept; a volume Relocator did not create and a plain local volume stay);</li>
 *   <li>Swarm's own {@code docker node update --availability drain} of the writer's node: one
 *       relocation, never two writers, downtime measured; and the same drain with plain Swarm (no
 *       operator) on a shared volume, reported as the checker sees it.</li>
 * </ul>
 * The shared storage is mounted {@code nosuid,nodev} on every node, the way an administrator mounts
 * a NAS export: Docker 20.10's {@code local} driver does not apply {@code nosuid}/{@code nodev} from
 * {@code o=} to a bind (it re-mounts binds only for {@code ro}), so a bind volume inherits them from
 * the mount of its device (docs/chaos.md, "Day-2 operations").
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DayTwoOpsIT {

    private static final Duration WRITE_INTERVAL = Duration.ofMillis(200);
    private static final Duration RELOCATION_BOUND = Duration.ofSeconds(60);
    private static final int UID = 4321;
    private static final int GID = 4322;
    private static final String MODE = "770";
    private static final String PROBE_USER = UID + ":" + GID;
    /** Where the probe's passwd/group live on every node (node-local, never relocates). */
    private static final String PROBE_ETC = SwarmLab.NODE_PATH + "/ops-etc";
    private static final String SUID_FILE = "busybox-suid";
    private static final String DRAIN = "swarm-drain";
    /**
     * A workload that takes its time to stop (a database flushing): busybox sh ignores SIGURG, so the
     * writer keeps writing through Swarm's stop until the grace period ends in SIGKILL. Whoever starts
     * the next task before that is a second writer.
     */
    private static final List<String> SLOW_STOP = List.of("--stop-signal", "SIGURG", "--stop-grace-period", "8s");

    private static SwarmLab lab;
    private static OperatorStack stack;
    private static PhaseFeed feed;
    private static String image;
    private static Map<String, String> nodeNames;
    private static volatile ScenarioRun current;

    @BeforeAll
    static void start() {
        lab = SwarmLab.start(SwarmLab.Spec.defaults());
        for (LabNode n : lab.nodes()) {
            mountSharedStorageNosuid(n.name());
            writeProbeAccounts(n.name());
        }
        stack = OperatorStack.deploy(lab);
        feed = new PhaseFeed(stack.broker().bootstrapServers(), "relocator.events");
        image = lab.images().workloadImage();
        nodeNames = stack.nodeNames();
        feed.onPhase(p -> {
            ScenarioRun run = current;
            if (run != null && p.volume().equals(run.workload().volumeName())) {
                run.history().append(new Op(p.receivedMillis(), "operator", Op.INFO, "phase",
                        Map.of("phase", p.phase() + " e" + p.epoch(), "node", nodeNames.getOrDefault(p.node(), p.node()))));
            }
        });
        System.out.println("[ops] lab " + lab.timings() + "; operator stack healthy " + stack.deployMillis() + " ms");
    }

    @AfterAll
    static void stop() {
        if (feed != null) {
            feed.close();
        }
        if (stack != null) {
            System.out.println("[ops] operator logs (tail):\n" + stack.logs(300));
            stack.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    /**
     * The administrator's step for a NAS export: every node mounts the shared storage nosuid,nodev
     * (fstab). Repeated after a node restart, which re-creates the node's bind of the host directory.
     */
    private static void mountSharedStorageNosuid(String node) {
        lab.exec(node, "mount", "-o", "remount,bind,nosuid,nodev", SwarmLab.SHARED_PATH).orThrow("remount shared storage on " + node);
        String opts = lab.exec(node, "sh", "-c", "grep ' " + SwarmLab.SHARED_PATH + " ' /proc/self/mountinfo").orThrow("mountinfo").stdout();
        assertTrue(opts.contains("nosuid") && opts.contains("nodev"), "shared storage on " + node + " is nosuid,nodev: " + opts);
    }

    /** busybox su needs account entries; root has an empty password so that only the setuid bit decides. */
    private static void writeProbeAccounts(String node) {
        Path etc = lab.nodeDir(node).resolve("ops-etc");
        try {
            Files.createDirectories(etc);
            Files.writeString(etc.resolve("passwd"), "root::0:0:root:/:/bin/sh\napp:x:" + UID + ":" + GID + ":app:/:/bin/sh\n");
            Files.writeString(etc.resolve("group"), "root:x:0:\napp:x:" + GID + ":\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs the setuid copy as the resource's unprivileged user and asks busybox su (which needs euid 0
     * to switch users) to print its ids: "Uid:\t0\t0..." means the setuid bit took effect.
     */
    private static ExecResult setuidProbe(String node, String volume) {
        return lab.docker(node, "run", "--rm", "--label", "dev.relocator.lab.ops=probe", "--user", PROBE_USER,
                "--network", "none",
                "-v", PROBE_ETC + "/passwd:/etc/passwd:ro", "-v", PROBE_ETC + "/group:/etc/group:ro",
                "-v", volume + ":/data", "--entrypoint", "/data/" + SUID_FILE, image,
                "su", "-c", "grep Uid /proc/self/status", "root");
    }

    private static boolean sawEuidZero(ExecResult probe) {
        return probe.stdout().lines().anyMatch(l -> l.matches("Uid:\\s+\\d+\\s+0\\s+.*"));
    }

    @Test
    @Order(1)
    void afterACrashTheVolumeKeepsItsOwnershipAndNoSetuidFileRunsAsRootAndTheReturningNodeNeverWrites() throws Exception {
        ScenarioOutcome out = ScenarioOutcome.of("[ops]", "ops-crash-ownership-nosuid-return", "crash", true,
                "volume root uid/gid/mode from the resource on the new node; the setuid-root file gives no euid 0 there "
                        + "(negative control without nosuid: euid 0); the returning node writes nothing after the new epoch, "
                        + "its stale container is killed and its stale reference removed").figuresIn("ops-figures.txt");
        String service = "ops-suid";
        String volume = service + "-data";
        List<String> extra = new ArrayList<>(OperatorStack.relocatableWriterArgs(volume));
        extra.addAll(List.of("--label", "relocator.dev/uid=" + UID, "--label", "relocator.dev/gid=" + GID,
                "--label", "relocator.dev/mode=0" + MODE));
        ScenarioRun run = newRun(service, "ops-crash", extra);
        awaitAttached(volume, 1);
        String a = run.workload().writingNode().orElseThrow();
        String b = lab.workers().stream().map(LabNode::name).filter(n -> !n.equals(a)).findFirst().orElseThrow();

        // precondition: what the returning node will hold is a reference Relocator created
        String labels = lab.docker(a, "volume", "inspect", "--format", "{{json .Labels}}", volume).orThrow("inspect").stdout();
        assertTrue(labels.contains("\"relocator.dev/managed\":\"true\""), "Relocator created the reference on " + a + ": " + labels);
        // decoys: a volume that merely looks relocatable, and a plain local one with Relocator's label (its data is on the node)
        lab.exec(a, "mkdir", "-p", SwarmLab.SHARED_PATH + "/ops-decoy").orThrow("mkdir decoy");
        lab.docker(a, "volume", "create", "--label", "relocator.dev/relocatable=true", "-d", "local", "-o", "type=none",
                "-o", "o=bind", "-o", "device=" + SwarmLab.SHARED_PATH + "/ops-decoy", "ops-decoy").orThrow("decoy");
        lab.docker(a, "volume", "create", "--label", "relocator.dev/managed=true", "ops-plain").orThrow("plain");
        // a stale copy that is not under the fencing wrapper and that dockerd restarts by itself; it writes only once armed
        lab.docker(a, "run", "-d", "--name", "ops-stale", "--restart", "always", "--label", "dev.relocator.lab.ops=stale",
                "-v", volume + ":/data", "-v", SwarmLab.NODE_PATH + ":/lab-node", "--entrypoint", "/bin/sh", image, "-c",
                "while :; do [ -e /lab-node/ops-armed ] && echo \"$(hostname) $(cat /proc/uptime)\" >> /data/stale.log; sleep 0.1; done")
                .orThrow("stale container");

        // the root workload plants a setuid-root copy of busybox on the volume
        String writer = lab.docker(a, "ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + service).orThrow("ps").stdout().strip();
        lab.docker(a, "exec", writer, "sh", "-c", "cp /bin/busybox /data/" + SUID_FILE + " && chmod 4755 /data/" + SUID_FILE)
                .orThrow("plant the setuid file");

        run.nemesis().crash(a, true);
        Awaitility.await("the writer relocated away from " + a).atMost(RELOCATION_BOUND).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> run.workload().writingNode().filter(n -> !n.equals(a)).isPresent());
        long firstOnB = run.workload().currentRecords().stream().filter(r -> !r.node().equals(a)).mapToLong(WriteRecord::time).min().orElseThrow();

        // ownership on the new node, as the workload sees it and as the storage holds it
        ExecResult stat = lab.docker(b, "run", "--rm", "--network", "none", "-v", volume + ":/data", "--entrypoint", "/bin/sh", image,
                "-c", "stat -c '%u %g %a' /data /data/" + SUID_FILE + "; grep ' /data ' /proc/self/mountinfo").orThrow("stat");
        List<String> lines = stat.stdout().lines().toList();
        assertEquals(UID + " " + GID + " " + MODE, lines.get(0), "volume root on " + b + ": " + stat.stdout());
        assertEquals("0 0 4755", lines.get(1), "the planted file keeps its owner and bits on the storage");
        assertTrue(lines.get(2).contains("nosuid") && lines.get(2).contains("nodev"), "the volume is mounted nosuid,nodev on " + b + ": " + lines.get(2));
        assertEquals(UID, (int) Files.getAttribute(run.workload().sharedVolumeDir(), "unix:uid"));
        assertEquals(GID, (int) Files.getAttribute(run.workload().sharedVolumeDir(), "unix:gid"));

        ExecResult probe = setuidProbe(b, volume);
        System.out.println("[ops] setuid probe on the moved volume (" + b + "): rc=" + probe.exitCode() + " " + probe.stdout().strip() + " " + probe.stderr().strip());
        assertFalse(sawEuidZero(probe), "nosuid: the setuid-root file must not give euid 0: " + probe.stdout() + probe.stderr());

        // negative control: the same file on a mount without nosuid (node-local directory of b)
        lab.exec(b, "mkdir", "-p", SwarmLab.NODE_PATH + "/ops-neg").orThrow("mkdir neg");
        lab.docker(b, "volume", "create", "--label", "dev.relocator.lab.ops=neg", "-d", "local", "-o", "type=none", "-o", "o=bind",
                "-o", "device=" + SwarmLab.NODE_PATH + "/ops-neg", "ops-neg").orThrow("neg volume");
        lab.docker(b, "run", "--rm", "--network", "none", "-v", "ops-neg:/data", "--entrypoint", "/bin/sh", image, "-c",
                "cp /bin/busybox /data/" + SUID_FILE + " && chmod 4755 /data/" + SUID_FILE).orThrow("plant neg");
        ExecResult control = setuidProbe(b, "ops-neg");
        System.out.println("[ops] setuid probe without nosuid (negative control): " + control.stdout().strip());
        assertTrue(sawEuidZero(control), "without nosuid the probe sees euid 0 (else it could never fail): " + control.stdout() + control.stderr());
        lab.docker(b, "volume", "rm", "ops-neg");

        // the node returns; the stale copy is armed while it is down, so any write it makes shows up
        Files.writeString(lab.nodeDir(a).resolve("ops-armed"), "1");
        long returnedAt = System.currentTimeMillis();
        run.nemesis().restart(a);
        long readyAt = System.currentTimeMillis();
        mountSharedStorageNosuid(a);
        Awaitility.await("no live container mounts " + volume + " on the returning " + a).atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> lab.docker(a, "ps", "-q", "--filter", "volume=" + volume).stdout().isBlank()
                        && stack.unhealthyNodes().isEmpty());
        long staleDeadAt = System.currentTimeMillis();
        Awaitility.await("the stale reference of " + volume + " removed on " + a).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> !lab.docker(a, "volume", "ls", "-q").stdout().lines().toList().contains(volume));
        long referenceGoneAt = System.currentTimeMillis();
        List<String> left = lab.docker(a, "volume", "ls", "-q").orThrow("volume ls").stdout().lines().toList();
        assertTrue(left.contains("ops-decoy"), "a volume Relocator did not create stays: " + left);
        assertTrue(left.contains("ops-plain"), "a plain local volume (data on the node) stays: " + left);
        ScenarioRun.let(Duration.ofSeconds(4));
        assertTrue(lab.docker(a, "ps", "-q", "--filter", "volume=" + volume).stdout().isBlank(), "the stale copy stays dead");

        Path staleLog = run.workload().sharedVolumeDir().resolve("stale.log");
        long staleWrites = Files.exists(staleLog) ? Files.readAllLines(staleLog).size() : 0;
        stopPhaseFeed(run);
        RunData data = run.finish();
        CheckResult r = out.add(data);
        List<WriteRecord> fromReturning = data.volume().orElseThrow().stream().filter(x -> x.node().equals(a) && x.time() >= firstOnB).toList();
        String figures = String.format("node container started -> Ready in the swarm %.1f s, -> no live copy (operator up, agent killed it) %.1f s,"
                + " -> stale reference removed %.1f s; unwrapped restart-policy copy appended %d line(s) (every 0.1 s) before it was killed;"
                + " wrapped Swarm task records from %s after the new epoch: %d",
                (readyAt - returnedAt) / 1000.0, (staleDeadAt - returnedAt) / 1000.0, (referenceGoneAt - returnedAt) / 1000.0, staleWrites, a,
                fromReturning.size());
        System.out.println("[ops] returning node: " + figures);
        out.note(figures);
        assertTrue(fromReturning.isEmpty(), "the returning node wrote after the new epoch: " + fromReturning);
        assertEquals(0, r.doubleWriterViolations(), r.summary());
        assertEquals(Verdict.VALID, r.s1().verdict(), r.summary());
        assertEquals(Verdict.VALID, r.d1().verdict(), r.summary());
        out.report(true);
    }

    @Test
    @Order(2)
    void swarmsOwnDrainOfTheWritersNodeMovesItOnceWithoutTwoWriters() {
        ScenarioOutcome out = ScenarioOutcome.of("[ops]", "ops-swarm-drain", DRAIN, true,
                "one relocation away from the drained node, 0 double writers, 0 lost acknowledged writes; downtime measured").figuresIn("ops-figures.txt");
        for (int i = 1; i <= ChaosProfile.runs(1, 3); i++) {
            String service = "ops-drain-" + i;
            List<String> args = new ArrayList<>(OperatorStack.relocatableWriterArgs(service + "-data"));
            args.addAll(SLOW_STOP);
            ScenarioRun run = newRun(service, "ops-swarm-drain/run-" + i, args);
            awaitAttached(service + "-data", 1);
            ScenarioRun.let(Duration.ofSeconds(2));
            String a = run.workload().writingNode().orElseThrow();
            drain(run, a);
            Awaitility.await("the writer relocated away from drained " + a).atMost(RELOCATION_BOUND).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions().until(() -> run.workload().writingNode().filter(n -> !n.equals(a)).isPresent());
            ScenarioRun.let(Duration.ofSeconds(3));
            activate(run, a);
            ScenarioRun.let(Duration.ofSeconds(3));
            stopPhaseFeed(run);
            RunData data = run.finish();
            CheckResult r = out.add(data);
            out.note(String.format("run %d: downtime (last record on %s -> first elsewhere) %.1f s, drain -> new writer %s s", i, a,
                    downtime(data, a), r.recoverySeconds()));
            assertEquals(0, r.doubleWriterViolations(), r.summary());
            assertEquals(Verdict.VALID, r.s1().verdict(), r.summary());
            assertEquals(Verdict.VALID, r.d1().verdict(), r.summary());
            assertEquals(2, data.volume().orElseThrow().stream().map(WriteRecord::writer).distinct().count(),
                    "one relocation: two writers in sequence, no restart loop: " + r.summary());
            assertTrue(feed.phases(service + "-data").stream().anyMatch(p -> p.phase().equals("Attached") && p.epoch() >= 2),
                    "Attached at a new epoch: " + feed.phases(service + "-data"));
        }
        out.report(true);
    }

    /** No operator: what Swarm alone does on a drain of the writer's node, on a shared volume. Reported, not judged. */
    @Test
    @Order(3)
    void plainSwarmDrainIsReportedAsTheCheckerSeesIt() {
        ScenarioOutcome out = ScenarioOutcome.of("[ops]", "ops-swarm-drain-plain", DRAIN, false,
                "reported: what the checker sees when Swarm alone reschedules a drained writer").figuresIn("ops-figures.txt");
        String service = "ops-plain-drain";
        WriterWorkload w = new WriterWorkload(lab, service, VolumeKind.SHARED, WRITE_INTERVAL, SLOW_STOP);
        ScenarioRun run = new ScenarioRun(lab, ChaosReport.dir().resolve("chaos-runs").resolve("ops-swarm-drain-plain"), w,
                Optional.empty(), Map.of("operator", false));
        w.deploy(image);
        ScenarioRun.let(Duration.ofSeconds(2));
        String a = w.writingNode().orElseThrow();
        drain(run, a);
        Awaitility.await("Swarm moved the writer away from drained " + a).atMost(RELOCATION_BOUND).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> w.writingNode().filter(n -> !n.equals(a)).isPresent());
        ScenarioRun.let(Duration.ofSeconds(3));
        activate(run, a);
        RunData data = run.finish();
        CheckResult r = out.add(data);
        out.note(String.format("downtime (last record on %s -> first elsewhere) %.1f s; overlaps %d; %s", a, downtime(data, a),
                r.doubleWriterViolations(), r.summary()));
        assertTrue(r.recoverySeconds().size() == 1, "the checker measured the move: " + r.summary());
        out.report(true);
    }

    private static void drain(ScenarioRun run, String node) {
        run.history().append(Op.NEMESIS, Op.INVOKE, DRAIN, Map.of("node", node, "expectRelocation", true));
        lab.onManager("node", "update", "--availability", "drain", node).orThrow("drain " + node);
        run.history().append(Op.NEMESIS, Op.OK, DRAIN, Map.of("node", node, "expectRelocation", true));
    }

    private static void activate(ScenarioRun run, String node) {
        Map<String, Object> v = Map.of("fault", DRAIN, "node", node);
        run.history().append(Op.NEMESIS, Op.INVOKE, "heal", v);
        lab.onManager("node", "update", "--availability", "active", node).orThrow("activate " + node);
        run.history().append(Op.NEMESIS, Op.OK, "heal", v);
    }

    /** From the last record written on {@code from} to the first record written elsewhere after it, seconds. */
    private static double downtime(RunData data, String from) {
        List<WriteRecord> rs = data.volume().orElseThrow();
        long last = rs.stream().filter(r -> r.node().equals(from)).mapToLong(WriteRecord::time).max().orElse(-1);
        long next = rs.stream().filter(r -> !r.node().equals(from) && r.time() > last).mapToLong(WriteRecord::time).min().orElse(-1);
        return last < 0 || next < 0 ? Double.NaN : (next - last) / 1000.0;
    }

    private static void awaitAttached(String volume, long epoch) {
        Awaitility.await(volume + " Attached at epoch >= " + epoch).atMost(RELOCATION_BOUND).pollInterval(Duration.ofMillis(250))
                .until(() -> feed.phases(volume).stream().anyMatch(p -> p.phase().equals("Attached") && p.epoch() >= epoch));
    }

    private static ScenarioRun newRun(String service, String dirName, List<String> extraArgs) {
        WriterWorkload w = new WriterWorkload(lab, service, VolumeKind.SHARED, WRITE_INTERVAL, extraArgs);
        ScenarioRun run = new ScenarioRun(lab, ChaosReport.dir().resolve("chaos-runs").resolve(dirName), w, Optional.empty(),
                Map.of("operator", true));
        current = run;
        w.deploy(image);
        return run;
    }

    private static void stopPhaseFeed(ScenarioRun run) {
        current = null;
        assertTrue(!feed.phases(run.workload().volumeName()).isEmpty(), "the operator published phases of " + run.workload().volumeName());
    }
}
