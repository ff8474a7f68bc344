package dev.relocator.chaos.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relocator.chaos.lab.ExecResult;
import dev.relocator.chaos.lab.SwarmLab;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The Docker event that reveals a node fault to Swarm: a manager's {@code node update} with
 * {@code state.new=down}, read back from the manager's event log with {@code docker events
 * --since/--until} (the daemon replays its recent events). That is what the operator's event
 * source (and anyone watching {@code docker events}) sees; the operator's own trigger, the lease
 * expiry, does not wait for it.
 */
public final class NodeEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeEvents() {
    }

    /** When the manager reported {@code node} down, between {@code fromMillis} and now. */
    public static Optional<Long> downAt(SwarmLab lab, String manager, String nodeName, String nodeId, long fromMillis) {
        String since = String.format(Locale.ROOT, "%.3f", (fromMillis - 1000) / 1000.0);
        String until = String.format(Locale.ROOT, "%.3f", System.currentTimeMillis() / 1000.0);
        ExecResult r = lab.exec(manager, Duration.ofSeconds(20), "docker", "events", "--since", since, "--until", until,
                "--filter", "type=node", "--format", "{{json .}}");
        if (!r.ok()) {
            return Optional.empty();
        }
        return r.stdout().lines().map(l -> downTime(l, nodeName, nodeId, fromMillis)).flatMap(Optional::stream).findFirst();
    }

    /** The time (ms) of one {@code docker events} JSON line if it reports {@code node} going down at or after {@code fromMillis}. */
    static Optional<Long> downTime(String line, String nodeName, String nodeId, long fromMillis) {
        try {
            JsonNode e = JSON.readTree(line);
            JsonNode attrs = e.path("Actor").path("Attributes");
            boolean ours = nodeId.equals(e.path("Actor").path("ID").asText()) || nodeName.equals(attrs.path("name").asText());
            if (!"node".equals(e.path("Type").asText()) || !ours || !"down".equals(attrs.path("state.new").asText())) {
                return Optional.empty();
            }
            long t = e.has("timeNano") ? e.path("timeNano").asLong() / 1_000_000 : e.path("time").asLong() * 1000;
            return t >= fromMillis ? Optional.of(t) : Optional.empty();
        } catch (Exception ex) {
            return Optional.empty();
        }
    }
}
