package dev.relocator.chaos.operator;

import dev.relocator.chaos.history.History;
import dev.relocator.chaos.history.WriteRecord;
import dev.relocator.chaos.lab.LabNode;
import dev.relocator.chaos.lab.SwarmLab;
import dev.relocator.chaos.nemesis.Nemesis;
import dev.relocator.chaos.workload.VolumeKind;
import dev.relocator.chaos.workload.WriterWorkload;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.awaitility.Awaitility;

/**
 * The demo (scripts/demo.sh): a 3-node lab swarm (1 manager, 2 workers) with Kafka and the
 * operator stack, the writer as a relocatable stateful service, a crash of the node it runs on,
 * and the relocation shown live from the operator's Kafka topic. Then the lab stays up until this
 * process ends (SIGTERM from {@code scripts/demo.sh --down}, or Enter / end of input).
 */
public final class DemoMain {

    static final String SERVICE = "demo-writer";
    static final Duration RELOCATION_BOUND = Duration.ofSeconds(90);

    private DemoMain() {
    }

    public static void main(String[] args) throws IOException {
        long t0 = System.currentTimeMillis();
        SwarmLab lab = SwarmLab.start(new SwarmLab.Spec(1, 2));
        say("lab up in %.1f s: %s", lab.timings().total() / 1000.0, lab.runId());
        for (LabNode n : lab.nodes()) {
            say("  node %-3s %-7s %s  (docker exec -it %s docker ...)", n.name(), n.manager() ? "manager" : "worker", n.ip(), containerName(lab, n));
        }
        OperatorStack stack = OperatorStack.deploy(lab);
        say("operator image %s built through deploy/Dockerfile and loaded in %.1f s", stack.image(), stack.buildMillis() / 1000.0);
        say("docker stack deploy -c deploy/docker-stack.yml %s: healthy on every node in %.1f s; Kafka at %s",
                OperatorStack.STACK, stack.deployMillis() / 1000.0, stack.broker().bootstrapServers());
        // SIGTERM (scripts/demo.sh --down as a last resort): the lab's own hook removes the nodes;
        // the broker is a child process of this JVM and goes with it here
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stack.broker().close(), "demo-broker-stop"));
        PhaseFeed feed = new PhaseFeed(stack.broker().bootstrapServers(), "relocator.events");
        java.util.Map<String, String> names = stack.nodeNames();
        long[] crashAt = {0};
        WriterWorkload writer = new WriterWorkload(lab, SERVICE, VolumeKind.SHARED, Duration.ofMillis(200),
                OperatorStack.relocatableWriterArgs(SERVICE + "-data"));
        feed.onPhase(p -> {
            if (p.volume().equals(writer.volumeName())) {
                String since = crashAt[0] == 0 ? "" : String.format(" (+%.1f s after the crash)", (p.receivedMillis() - crashAt[0]) / 1000.0);
                say("  event  %-9s epoch %d %s%s", p.phase(), p.epoch(), p.node().isEmpty() ? "" : "node " + names.getOrDefault(p.node(), p.node()), since);
            }
        });
        say("deploying %s: label relocator.dev/volume=%s, shared storage, under the fencing wrapper", SERVICE, writer.volumeName());
        writer.deploy(lab.images().workloadImage());
        String node = writer.writingNode().orElseThrow();
        say("%s writes on %s", SERVICE, node);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> writer.currentRecords().size() >= 25);
        say("%d records on the volume; crashing node %s now (docker kill of the node: every process on it dies)",
                writer.currentRecords().size(), node);
        Path historyFile = lab.runDir().resolve("demo-history.jsonl");
        History history = new History(historyFile);
        Nemesis nemesis = new Nemesis(lab, history, Optional.empty());
        crashAt[0] = System.currentTimeMillis();
        nemesis.crash(node, true);
        // everything the old writer wrote: it is dead, and nobody else may write before the operator's Starting
        List<WriteRecord> before = writer.currentRecords();
        Set<String> beforeKeys = new HashSet<>();
        before.forEach(r -> beforeKeys.add(r.key()));
        Awaitility.await("the writer on another node").atMost(RELOCATION_BOUND).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions().until(() -> writer.writingNode().filter(n -> !n.equals(node)).isPresent());
        double recovered = (System.currentTimeMillis() - crashAt[0]) / 1000.0;
        String now = writer.writingNode().orElseThrow();
        say("the writer writes again on %s, %.1f s after the crash", now, recovered);
        List<WriteRecord> after = writer.currentRecords();
        long kept = after.stream().filter(r -> beforeKeys.contains(r.key())).count();
        Set<String> writers = new HashSet<>();
        after.forEach(r -> writers.add(r.writer()));
        say("data written before the crash: %d of %d records still on the volume; %d records now, from %d writers",
                kept, before.size(), after.size(), writers.size());
        say("restarting node %s (it rejoins; its agent has no grant, so it does not write)", node);
        nemesis.restart(node);
        say("done in %.0f s. The lab keeps running until `scripts/demo.sh --down` (or Enter here).", (System.currentTimeMillis() - t0) / 1000.0);
        String m = containerName(lab, lab.managers().get(0));
        say("  operator logs:  docker exec %s docker service logs %s", m, OperatorStack.SERVICE);
        say("  where it runs:  docker exec %s docker service ps %s", m, SERVICE);
        say("  its state:      docker exec %s docker service inspect %s --format '{{json .Spec.Labels}}'", m, SERVICE);
        say("  health/metrics: docker exec %s docker exec $(docker exec %s docker ps -q -f label=com.docker.swarm.service.name=%s) "
                + "bash -c 'exec 3<>/dev/tcp/127.0.0.1/9494; printf \"GET /q/metrics HTTP/1.0\\r\\n\\r\\n\" >&3; cat <&3' | grep ^relocator_", m, m, OperatorStack.SERVICE);
        say("  the volume:     %s", writer.sharedVolumeDir().resolve(WriterWorkload.DATA_FILE));
        System.out.println("DEMO DONE");
        System.out.flush();
        try {
            int c;
            do {
                c = System.in.read();
            } while (c != -1 && c != '\n');
        } finally {
            feed.close();
            history.close();
            stack.close();
            lab.close();
        }
    }

    private static void say(String format, Object... args) {
        System.out.printf("[demo %s] %s%n", java.time.LocalTime.now().withNano(0), String.format(format, args));
        System.out.flush();
    }

    private static String containerName(SwarmLab lab, LabNode n) {
        return lab.hostDocker().inspectContainerCmd(n.containerId()).exec().getName().replaceFirst("^/", "");
    }
}
