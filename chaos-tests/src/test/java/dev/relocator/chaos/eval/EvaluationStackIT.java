package dev.relocator.chaos.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relocator.chaos.lab.LabImages;
import dev.relocator.chaos.lab.SwarmLab;
import dev.relocator.chaos.operator.OperatorStack;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The optional evaluation stack, deployed the way docs tell users to: one
 * {@code docker stack deploy -c deploy/docker-stack.yml -c deploy/eval/docker-stack.eval.yml} on
 * the lab Swarm. Prometheus (built from Debian's package: no registry here) must find every
 * operator instance through the overlay's task DNS and scrape it, and every query of the Grafana
 * dashboard must be valid PromQL over metrics the running operators really export. The lab has no
 * Kafka or Grafana image, so those two services of the stack stay without a task here; the
 * dashboard is checked through the queries Grafana would send.
 */
class EvaluationStackIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern METRIC = Pattern.compile("\\b((?:relocator|jvm|process)_[a-z0-9_]+|up)\\b(?!\\s*\\()");

    /**
     * Series that exist only after their first occurrence, because a tag value is known only then
     * (a reconnect's cause): the dashboard shows them empty until then, as Prometheus does.
     */
    private static final Set<String> CREATED_ON_FIRST_OCCURRENCE = Set.of("relocator_docker_events_reconnects_total");

    private static SwarmLab lab;
    private static OperatorStack stack;
    private static String prometheus;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @BeforeAll
    static void start() {
        lab = SwarmLab.start(new SwarmLab.Spec(1, 2));
        stack = OperatorStack.deploy(lab);
        String image = lab.images().ensure(LabImages.prometheusRecipe());
        lab.loadImage(image);
        String manager = lab.managers().get(0).name();
        lab.copyToNode(manager, OperatorStack.repositoryRoot().resolve("deploy/eval"), "/opt/relocator");
        stack.redeploy(List.of("/opt/relocator/eval/docker-stack.eval.yml"), Map.of("EVAL_PROMETHEUS_IMAGE", image));
        // published in host mode on the manager it runs on (the only manager here)
        prometheus = "http://" + lab.nodeIp(manager) + ":9090";
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void prometheusScrapesEveryOperatorInstanceAndEveryDashboardQueryWorks() throws IOException {
        int nodes = lab.nodes().size();
        try {
            Awaitility.await("Prometheus scraping " + nodes + " operator instances").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                    .until(() -> healthyTargets("relocator") == nodes);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + diagnosis(), e);
        }
        // exactly one instance acts as controller: the one on the Swarm leader
        Awaitility.await("one acting controller in Prometheus").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                .until(() -> scalar("sum(relocator_controller_acting)") == 1.0);
        assertEquals(nodes, scalar("count(relocator_lease_renewals_total)"), "every node's agent exports its lease renewals");

        Set<String> exported = new HashSet<>();
        get("/api/v1/label/__name__/values").path("data").forEach(n -> exported.add(n.asText()));
        JsonNode dashboard = JSON.readTree(OperatorStack.repositoryRoot().resolve(Path.of("deploy/eval/grafana/dashboards/relocator.json")).toFile());
        List<String> problems = new ArrayList<>();
        Set<String> referenced = new TreeSet<>();
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                queries++;
                JsonNode answer = get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
                if (!"success".equals(answer.path("status").asText())) {
                    problems.add(panel.path("title").asText() + ": " + expr + " -> " + answer);
                }
                Matcher m = METRIC.matcher(expr.replaceAll("\\{[^}]*}", ""));
                while (m.find()) {
                    referenced.add(m.group(1));
                }
            }
        }
        for (String name : referenced) {
            if (!exported.contains(name) && !CREATED_ON_FIRST_OCCURRENCE.contains(name)) {
                problems.add("metric " + name + " is queried by the dashboard but no operator exports it");
            }
        }
        assertTrue(queries >= 20, "the dashboard has its panels (" + queries + " queries)");
        assertTrue(referenced.size() >= 15, "queries name the operator's metrics: " + referenced);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static String diagnosis() {
        StringBuilder b = new StringBuilder();
        for (String[] cmd : List.of(new String[] {"service", "ps", "--no-trunc", OperatorStack.SERVICE},
                new String[] {"network", "inspect", "--verbose", "--format", "{{json .Services}}", OperatorStack.STACK + "_relocator"},
                new String[] {"service", "ps", "--no-trunc", OperatorStack.STACK + "_prometheus"},
                new String[] {"service", "logs", "--raw", "--tail", "40", OperatorStack.STACK + "_prometheus"},
                new String[] {"service", "inspect", "--format", "{{json .Endpoint}}", OperatorStack.STACK + "_prometheus"})) {
            try {
                var r = lab.onManager(cmd);
                b.append("$ docker ").append(String.join(" ", cmd)).append('\n').append(r.stdout()).append(r.stderr()).append('\n');
            } catch (RuntimeException e) {
                b.append("$ docker ").append(String.join(" ", cmd)).append(" failed: ").append(e.getMessage()).append('\n');
            }
        }
        try {
            b.append("targets: ").append(get("/api/v1/targets?state=active"));
        } catch (IOException | RuntimeException e) {
            b.append("targets: ").append(e);
        }
        return b.toString();
    }

    private static long healthyTargets(String job) throws IOException, InterruptedException {
        long up = 0;
        for (JsonNode t : get("/api/v1/targets?state=active").path("data").path("activeTargets")) {
            if (job.equals(t.path("labels").path("job").asText()) && "up".equals(t.path("health").asText())) {
                up++;
            }
        }
        return up;
    }

    private static double scalar(String query) throws IOException {
        JsonNode r = get("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)).path("data").path("result");
        if (r.size() != 1) {
            return Double.NaN;
        }
        return Double.parseDouble(r.get(0).path("value").get(1).asText());
    }

    private static JsonNode get(String path) throws IOException {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(prometheus + path)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
