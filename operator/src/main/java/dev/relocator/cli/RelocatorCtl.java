package dev.relocator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.crd.Resources;
import dev.relocator.crd.load.DocumentParser;
import dev.relocator.crd.load.ParseException;
import dev.relocator.crd.load.ParseLimits;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.model.RelocatorConfig;
import dev.relocator.crd.validation.FieldError;
import dev.relocator.crd.validation.ResourceValidator;
import dev.relocator.crd.validation.ValidationOptions;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * relocatorctl: the Relocator API from a shell. A plain main class (no Quarkus): scripts/relocatorctl
 * runs it from the operator's build output. docs/api.md has the reference and the exit codes.
 */
@Command(name = "relocatorctl", mixinStandardHelpOptions = true, version = "relocatorctl 0.1.0",
        description = {"Manage RelocatableVolumes of a Relocator-operated Docker Swarm.", ""},
        subcommands = {RelocatorCtl.Get.class, RelocatorCtl.Describe.class, RelocatorCtl.Apply.class, RelocatorCtl.Delete.class,
                RelocatorCtl.Relocate.class, RelocatorCtl.Drain.class, RelocatorCtl.Watch.class, RelocatorCtl.Completion.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  relocatorctl get                            # volumes: phase, node, ready",
                "  relocatorctl apply -f pgdata.yaml           # create or update, checked first",
                "  relocatorctl describe pgdata                # conditions and recent events",
                "  relocatorctl relocate pgdata --to worker2   # ask the controller to move it",
                "  relocatorctl drain worker1                  # move every volume off a node",
                "  relocatorctl watch                          # follow changes as they happen",
                "",
                "Server: --server URL or RELOCATOR_SERVER (default http://127.0.0.1:9494).",
                "Changes need the API token: --token-file FILE, or RELOCATOR_TOKEN,",
                "or RELOCATOR_TOKEN_FILE. Reads need none. Reference: docs/api.md"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:usage error", "2:not found", "3:conflict (exists already, or changed since read)",
                "4:invalid input or request", "5:unauthorized (token missing or wrong)", "6:server unreachable",
                "7:server error"})
public class RelocatorCtl {

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; what a test calls. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new RelocatorCtl());
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (ex instanceof CliException c) {
                line.getErr().println(c.getMessage());
                line.getErr().flush();
                return c.exitCode();
            }
            line.getErr().println("relocatorctl failed: " + ex);
            return ExitCode.SERVER_ERROR;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("error: " + ex.getMessage());
            c.getErr().println("see: " + c.getCommandSpec().qualifiedName() + " --help");
            return ExitCode.USAGE;
        });
        return cl;
    }

    /** Where the server is and how to authenticate; shared by every command. */
    static final class Connection {
        @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:RELOCATOR_SERVER:-http://127.0.0.1:9494}",
                description = "API server (env RELOCATOR_SERVER; default ${DEFAULT-VALUE})")
        String server;

        @Option(names = "--token-file", paramLabel = "FILE",
                description = "file holding the API bearer token (else env RELOCATOR_TOKEN, then RELOCATOR_TOKEN_FILE)")
        Path tokenFile;

        @Option(names = "--request-timeout", paramLabel = "SECONDS", defaultValue = "10",
                description = "give up on a request after this long (default ${DEFAULT-VALUE})")
        int timeoutSeconds;

        ApiClient client() {
            URI uri;
            try {
                uri = URI.create(server);
                if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
                    throw new IllegalArgumentException("not an http(s) URL");
                }
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCode.USAGE, "--server \"" + server + "\" is not a URL like http://127.0.0.1:9494");
            }
            return new ApiClient(uri, token(), Duration.ofSeconds(Math.max(1, timeoutSeconds)));
        }

        private String token() {
            Path file = tokenFile;
            if (file == null) {
                String env = System.getenv("RELOCATOR_TOKEN");
                if (env != null && !env.isBlank()) {
                    return env.strip();
                }
                String envFile = System.getenv("RELOCATOR_TOKEN_FILE");
                if (envFile == null || envFile.isBlank()) {
                    return null;
                }
                file = Path.of(envFile);
            }
            try {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new CliException(ExitCode.USAGE, "cannot read the token file " + file + " (" + e + "): pass a readable --token-file");
            }
        }
    }

    /** {@code -o table|json|yaml}. */
    static final class Format {
        enum Kind { table, json, yaml }

        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
                description = "table, json or yaml (default ${DEFAULT-VALUE})")
        Kind output;

        void print(PrintWriter out, JsonNode node) {
            if (output == Kind.json) {
                out.println(node.toPrettyString());
            } else {
                out.print(Resources.toYaml(node));
            }
            out.flush();
        }
    }

    static String path(String name) {
        return ApiClient.BASE + "/" + RelocatableVolume.PLURAL + (name == null ? "" : "/" + URLEncoder.encode(name, StandardCharsets.UTF_8));
    }

    // ---- get -----------------------------------------------------------------------------------

    @Command(name = "get", mixinStandardHelpOptions = true, description = "List RelocatableVolumes, or show one.",
            footer = {"", "Examples:", "  relocatorctl get", "  relocatorctl get pgdata -o yaml"})
    static final class Get implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        Connection conn;
        @Mixin
        Format format;
        @Parameters(arity = "0..1", paramLabel = "NAME", description = "one volume (default: all)")
        String name;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            JsonNode r = conn.client().get(path(name));
            if (format.output != Format.Kind.table) {
                format.print(out, r);
                return ExitCode.OK;
            }
            List<JsonNode> items = new ArrayList<>();
            if (name == null) {
                r.path("items").forEach(items::add);
            } else {
                items.add(r);
            }
            if (items.isEmpty()) {
                out.println("No RelocatableVolumes found.");
                out.flush();
                return ExitCode.OK;
            }
            Table t = new Table("NAME", "SERVICE", "PHASE", "NODE", "EPOCH", "READY", "GENERATION", "SOURCE", "AGE");
            for (JsonNode o : items) {
                JsonNode st = o.path("status");
                String ready = st.path("conditions").findValuesAsText("type").contains("Ready")
                        ? readyOf(st) : "-";
                String source = o.path("metadata").path("annotations").path("relocator.dev/source").asText("api");
                t.row(o.path("metadata").path("name").asText(), o.path("spec").path("service").asText(),
                        st.path("phase").asText("-") + (o.path("metadata").has("deletionTimestamp") ? " (deleting)" : ""),
                        st.path("node").asText("-"), st.path("epoch").asText("-"), ready,
                        o.path("metadata").path("generation").asText("-") + "/" + st.path("observedGeneration").asText("-"),
                        source, age(o.path("metadata").path("creationTimestamp").asText(null)));
            }
            t.print(out);
            return ExitCode.OK;
        }
    }

    static String readyOf(JsonNode status) {
        for (JsonNode c : status.path("conditions")) {
            if (c.path("type").asText().equals("Ready")) {
                return c.path("status").asText();
            }
        }
        return "-";
    }

    static String age(String timestamp) {
        if (timestamp == null) {
            return "-";
        }
        try {
            Duration d = Duration.between(Instant.parse(timestamp), Instant.now());
            if (d.toDays() > 0) {
                return d.toDays() + "d";
            }
            if (d.toHours() > 0) {
                return d.toHours() + "h";
            }
            if (d.toMinutes() > 0) {
                return d.toMinutes() + "m";
            }
            return Math.max(0, d.toSeconds()) + "s";
        } catch (RuntimeException e) {
            return "-";
        }
    }

    // ---- describe ------------------------------------------------------------------------------

    @Command(name = "describe", mixinStandardHelpOptions = true, description = "Show one RelocatableVolume in detail: spec, status, conditions and recent events.",
            footer = {"", "Events come from the API (the changes the operator keeps and has seen); the complete, durable",
                    "stream is the Kafka topic the operator publishes CloudEvents to."})
    static final class Describe implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        Connection conn;
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            ApiClient api = conn.client();
            JsonNode o = api.get(path(name));
            JsonNode events = api.get(path(name) + "/events");
            JsonNode m = o.path("metadata");
            JsonNode s = o.path("spec");
            JsonNode st = o.path("status");
            out.printf("Name:               %s%n", m.path("name").asText());
            out.printf("Source:             %s%n", m.path("annotations").path("relocator.dev/source").asText("api"));
            out.printf("Created:            %s%n", m.path("creationTimestamp").asText("-"));
            out.printf("Generation:         %s (observed %s)%n", m.path("generation").asText("-"), st.path("observedGeneration").asText("-"));
            out.printf("Resource version:   %s%n", m.path("resourceVersion").asText("-"));
            if (m.has("deletionTimestamp")) {
                out.printf("Deleting since:     %s (waiting for the relocation in flight)%n", m.path("deletionTimestamp").asText());
            }
            m.path("annotations").fields().forEachRemaining(e -> out.printf("Annotation:         %s=%s%n", e.getKey(), e.getValue().asText()));
            out.printf("Service:            %s%n", s.path("service").asText());
            out.printf("Volume:             %s (driver %s)%n", s.path("volume").path("name").asText(), s.path("volume").path("driver").asText());
            out.printf("Target:             %s%n", s.path("target").asText());
            out.printf("Lease:              %ss (heartbeat %ss, external fence %s)%n", s.path("fencing").path("leaseSeconds").asText("-"),
                    s.path("fencing").path("heartbeatSeconds").asText("-"), s.path("fencing").path("external").asText("none"));
            out.printf("Paused:             %s%n", s.path("paused").asText("false"));
            out.printf("Phase:              %s%n", st.path("phase").asText("-"));
            out.printf("Node:               %s (epoch %s)%n", st.path("node").asText("-"), st.path("epoch").asText("-"));
            out.println("Conditions:");
            if (st.path("conditions").isEmpty()) {
                out.println("  <none: the controller has not reported yet>");
            } else {
                Table t = new Table("  TYPE", "STATUS", "REASON", "SINCE", "MESSAGE");
                st.path("conditions").forEach(c -> t.row("  " + c.path("type").asText(), c.path("status").asText(), c.path("reason").asText(),
                        c.path("lastTransitionTime").asText("-"), c.path("message").asText("")));
                t.print(out);
            }
            out.println("Events:");
            if (events.path("items").isEmpty()) {
                out.println("  <none>");
            } else {
                Table t = new Table("  TYPE", "REASON", "AT", "RV", "MESSAGE");
                events.path("items").forEach(e -> t.row("  " + e.path("type").asText(), e.path("reason").asText(),
                        e.path("lastTimestamp").asText("-"), e.path("resourceVersion").asText(), e.path("message").asText()));
                t.print(out);
            }
            out.flush();
            return ExitCode.OK;
        }
    }

    // ---- apply ---------------------------------------------------------------------------------

    @Command(name = "apply", mixinStandardHelpOptions = true, description = {"Create or update RelocatableVolumes (and the RelocatorConfig) from a file.",
            "Every document is validated locally first, with the server's driver allowlist; if any is invalid nothing is sent."},
            footer = {"", "Examples:", "  relocatorctl apply -f pgdata.yaml", "  cat volumes.yaml | relocatorctl apply -f -"})
    static final class Apply implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        Connection conn;
        @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE", description = "YAML or JSON file, or - for stdin")
        String file;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            byte[] input = file.equals("-") ? System.in.readAllBytes() : read(Path.of(file));
            List<JsonNode> docs;
            try {
                docs = new DocumentParser(ParseLimits.defaults()).parse(input);
            } catch (ParseException e) {
                throw new CliException(ExitCode.INVALID, file + ": " + e.error());
            }
            ApiClient api = conn.client();
            List<String> drivers = new ArrayList<>();
            CliException unreachable = null;
            try {
                api.find(ApiClient.BASE + "/relocatorconfigs/" + RelocatorConfig.NAME)
                        .ifPresent(c -> c.path("spec").path("volumeDrivers").forEach(d -> drivers.add(d.asText())));
            } catch (CliException e) {
                // an invalid file is reported as such even without a server; a valid one then fails on sending
                unreachable = e;
            }
            ValidationOptions options = ValidationOptions.defaults().withDrivers(drivers);
            List<ObjectNode> valid = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            for (JsonNode d : expand(docs)) {
                boolean config = RelocatorConfig.KIND.equals(d.path("kind").asText());
                ResourceValidator v = config ? ResourceValidator.relocatorConfigs(options) : ResourceValidator.relocatableVolumes(options);
                ObjectNode copy = d.isObject() ? ((ObjectNode) d).deepCopy() : null;
                if (copy != null) {
                    copy.remove("status"); // what get -o yaml printed: status is the controller's
                    if (copy.path("metadata") instanceof ObjectNode meta) {
                        meta.remove(List.of("resourceVersion", "generation", "uid", "creationTimestamp", "deletionTimestamp", "finalizers"));
                    }
                }
                ResourceValidator.Result r = v.validate(copy == null ? d : copy);
                String label = d.path("kind").asText("?") + " \"" + d.path("metadata").path("name").asText("") + "\"";
                if (!r.valid()) {
                    for (FieldError e : r.errors()) {
                        problems.add(label + ": " + e);
                    }
                } else {
                    valid.add(copy);
                }
            }
            if (!problems.isEmpty()) {
                throw new CliException(ExitCode.INVALID, "nothing applied, " + file + " is invalid:\n  " + String.join("\n  ", problems));
            }
            if (unreachable != null) {
                throw unreachable;
            }
            for (ObjectNode o : valid) {
                boolean config = RelocatorConfig.KIND.equals(o.path("kind").asText());
                String plural = config ? "relocatorconfigs" : RelocatableVolume.PLURAL;
                String name = o.path("metadata").path("name").asText();
                String url = ApiClient.BASE + "/" + plural + "/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
                String what = (config ? "relocatorconfig" : "relocatablevolume") + ".relocator.dev/" + name;
                Optional<JsonNode> current = api.find(url);
                byte[] body = Resources.toJson(o).getBytes(StandardCharsets.UTF_8);
                if (current.isEmpty()) {
                    api.ok(api.send("POST", ApiClient.BASE + "/" + plural, "application/json", body));
                    out.println(what + " created");
                } else {
                    String rv = current.get().path("metadata").path("resourceVersion").asText();
                    ((ObjectNode) o.get("metadata")).put("resourceVersion", rv);
                    JsonNode after = api.ok(api.send("PUT", url, "application/json", Resources.toJson(o).getBytes(StandardCharsets.UTF_8)));
                    boolean same = rv.equals(after.path("metadata").path("resourceVersion").asText());
                    out.println(what + (same ? " unchanged" : " configured"));
                }
            }
            out.flush();
            return ExitCode.OK;
        }

        private static byte[] read(Path p) {
            try {
                return Files.readAllBytes(p);
            } catch (IOException e) {
                throw new CliException(ExitCode.USAGE, "cannot read " + p + " (" + e.getMessage() + "): give a readable file, or - for stdin");
            }
        }

        private static List<JsonNode> expand(List<JsonNode> docs) {
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode d : docs) {
                if (d.path("items").isArray() && d.path("kind").asText("").endsWith("List")) {
                    d.path("items").forEach(out::add);
                } else {
                    out.add(d);
                }
            }
            return out;
        }
    }

    // ---- delete --------------------------------------------------------------------------------

    @Command(name = "delete", mixinStandardHelpOptions = true, description = {"Delete a RelocatableVolume (its data stays where it is).",
            "While a relocation is in flight the delete waits for it to end; the volume shows as (deleting) meanwhile."})
    static final class Delete implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        Connection conn;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--resource-version", paramLabel = "RV", description = "only if the object is still at this resourceVersion")
        String resourceVersion;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            ApiClient api = conn.client();
            byte[] body = resourceVersion == null ? null
                    : ("{\"preconditions\":{\"resourceVersion\":\"" + resourceVersion.replace("\"", "") + "\"}}").getBytes(StandardCharsets.UTF_8);
            ApiClient.Reply r = api.send("DELETE", path(name), body == null ? null : "application/json", body);
            api.ok(r);
            out.println("relocatablevolume.relocator.dev/" + name + (r.code() == 202
                    ? " marked for deletion: it goes once the relocation in flight ends" : " deleted"));
            out.flush();
            return ExitCode.OK;
        }
    }

    // ---- relocate / drain ----------------------------------------------------------------------

    @Command(name = "relocate", mixinStandardHelpOptions = true, description = {"Ask the controller to move a RelocatableVolume (and its workload) to a node.",
            "The request is recorded on the volume; the controller fences the old writer first, then moves it."},
            footer = {"", "Example:", "  relocatorctl relocate pgdata --to worker2 && relocatorctl watch"})
    static final class Relocate implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        Connection conn;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--to", required = true, paramLabel = "NODE", description = "target node: hostname or node id")
        String to;

        @Override
        public Integer call() {
            ApiClient api = conn.client();
            byte[] body = Resources.toJson(java.util.Map.of("to", to)).getBytes(StandardCharsets.UTF_8);
            api.ok(api.send("POST", path(name) + "/relocate", "application/json", body));
            spec.commandLine().getOut().println("relocatablevolume.relocator.dev/" + name + " relocation to " + to + " requested");
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
        }
    }

    @Command(name = "drain", mixinStandardHelpOptions = true, description = "Ask the controller to move every RelocatableVolume attached to a node off it.")
    static final class Drain implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        Connection conn;
        @Parameters(paramLabel = "NODE", description = "hostname or node id")
        String node;

        @Override
        public Integer call() {
            ApiClient api = conn.client();
            JsonNode s = api.ok(api.send("POST", ApiClient.BASE + "/nodes/" + URLEncoder.encode(node, StandardCharsets.UTF_8) + "/drain",
                    null, null));
            PrintWriter out = spec.commandLine().getOut();
            out.println(s.path("message").asText());
            s.path("details").path("causes").forEach(c -> out.println("  " + c.path("field").asText() + ": " + c.path("reason").asText()
                    + " (" + c.path("message").asText() + ")"));
            out.flush();
            return ExitCode.OK;
        }
    }

    // ---- watch ---------------------------------------------------------------------------------

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = {"Follow changes to RelocatableVolumes.",
                    "Default: the API's server-sent event stream; without --resource-version it starts with every",
                    "current volume as ADDED. With --kafka: the operator's CloudEvents topic (durable, every",
                    "transition in order, node events too), read without a consumer group."},
            footer = {"", "Examples:", "  relocatorctl watch", "  relocatorctl watch -o json --count 5",
                    "  relocatorctl watch --kafka broker:9092 --volume pgdata --from-beginning"})
    static final class Watch implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        Connection conn;
        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table", description = "table or json (one event per line)")
        String output;
        @Option(names = "--resource-version", paramLabel = "RV", description = "API stream: resume after this resourceVersion")
        String resourceVersion;
        @Option(names = "--count", paramLabel = "N", description = "stop after N events (default: until interrupted)")
        Integer count;
        @Option(names = "--kafka", paramLabel = "BOOTSTRAP", defaultValue = "${env:RELOCATOR_KAFKA}",
                description = "read the Kafka event topic at these bootstrap servers instead (env RELOCATOR_KAFKA)")
        String kafka;
        @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "relocator.events", description = "Kafka topic (default ${DEFAULT-VALUE})")
        String topic;
        @Option(names = "--volume", paramLabel = "NAME", description = "Kafka: only this volume's events")
        String volume;
        @Option(names = "--node", paramLabel = "NODE", description = "Kafka: only events about this node")
        String node;
        @Option(names = "--from-beginning", description = "Kafka: replay the topic from its start")
        boolean fromBeginning;

        @Override
        public Integer call() {
            if (!output.equals("table") && !output.equals("json")) {
                throw new CliException(ExitCode.USAGE, "watch -o takes table or json, got " + output);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (kafka != null && !kafka.isBlank()) {
                return kafka(out);
            }
            if (volume != null || node != null || fromBeginning) {
                throw new CliException(ExitCode.USAGE, "--volume, --node and --from-beginning filter the Kafka stream: add --kafka BOOTSTRAP");
            }
            int[] seen = {0};
            if (output.equals("table")) {
                out.printf("%-9s %-30s %-10s %-14s %s%n", "EVENT", "NAME", "PHASE", "NODE", "RESOURCEVERSION");
                out.flush();
            }
            conn.client().stream(path(null) + "?watch=true", resourceVersion, ev -> {
                if (output.equals("json")) {
                    out.println(ev.toString());
                } else {
                    JsonNode o = ev.path("object");
                    out.printf("%-9s %-30s %-10s %-14s %s%n", ev.path("type").asText(), o.path("metadata").path("name").asText(),
                            o.path("status").path("phase").asText("-"), o.path("status").path("node").asText("-"),
                            o.path("metadata").path("resourceVersion").asText());
                }
                out.flush();
                seen[0]++;
                return count == null || seen[0] < count;
            });
            return ExitCode.OK;
        }

        private int kafka(PrintWriter out) {
            dev.relocator.events.EventWatcher.Builder b = dev.relocator.events.EventWatcher.builder().bootstrapServers(kafka).topic(topic)
                    .format(output.equals("json") ? dev.relocator.events.EventWatcher.Format.JSON : dev.relocator.events.EventWatcher.Format.TABLE)
                    .fromBeginning(fromBeginning).metadataTimeout(Duration.ofSeconds(Math.max(1, conn.timeoutSeconds)));
            if (volume != null) {
                b.volume(volume);
            }
            if (node != null) {
                b.node(node);
            }
            int[] seen = {0};
            try (dev.relocator.events.EventWatcher w = b.build()) {
                boolean table = output.equals("table");
                w.run(line -> {
                    out.println(line);
                    out.flush();
                    if (!(table && seen[0] == 0 && line.equals(dev.relocator.events.EventWatcher.header()))) {
                        seen[0]++;
                    }
                }, () -> count == null || seen[0] < count);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCode.NOT_FOUND, e.getMessage());
            } catch (org.apache.kafka.common.KafkaException e) {
                throw new CliException(ExitCode.UNREACHABLE, "cannot read the event topic " + topic + " from Kafka at " + kafka + " ("
                        + e.getMessage() + "): check --kafka (or RELOCATOR_KAFKA) and that the broker is reachable from here");
            }
            return ExitCode.OK;
        }
    }

    // ---- completion ----------------------------------------------------------------------------

    @Command(name = "completion", mixinStandardHelpOptions = true, description = "Print a bash/zsh completion script.",
            footer = {"", "Examples:", "  source <(relocatorctl completion)",
                    "  relocatorctl completion > /etc/bash_completion.d/relocatorctl"})
    static final class Completion implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(AutoComplete.bash("relocatorctl", spec.root().commandLine()));
            spec.commandLine().getOut().flush();
            return ExitCode.OK;
        }
    }

    /** A plain aligned table, as kubectl prints. */
    static final class Table {
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            rows.add(header);
        }

        void row(String... cells) {
            rows.add(cells);
        }

        void print(PrintWriter out) {
            int[] w = new int[rows.get(0).length];
            for (String[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    w[i] = Math.max(w[i], r[i].length());
                }
            }
            for (String[] r : rows) {
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < r.length; i++) {
                    b.append(i == r.length - 1 ? r[i] : String.format("%-" + (w[i] + 3) + "s", r[i]));
                }
                out.println(b.toString().stripTrailing());
            }
            out.flush();
        }
    }
}
