package dev.relocator.crd;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.crd.validation.FieldError;
import dev.relocator.crd.validation.ValidationOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.relocator.crd.Fixtures.fencing;
import static dev.relocator.crd.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed and hostile inputs at the loader/validator level. Each row names the input and
 * the complete list of errors it must produce, as "field | problem" (a trailing … means
 * "starts with"), plus a fragment the first error's fix must contain. A row fails if an
 * expected error is missing, if an unexpected one appears, or if the fix says nothing useful.
 */
class HostileInputTest {

    private static final ResourceLoader LOADER = new ResourceLoader(ValidationOptions.defaults().withDrivers(List.of("vieux/sshfs")));

    record Case(String name, byte[] input, List<String> expected, String fix) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case yaml(String name, Consumer<ObjectNode> change, String fix, String... expected) {
        return new Case(name, Fixtures.with(change).getBytes(StandardCharsets.UTF_8), List.of(expected), fix);
    }

    static Case raw(String name, String input, String fix, String... expected) {
        return new Case(name, input.getBytes(StandardCharsets.UTF_8), List.of(expected), fix);
    }

    static Case bytes(String name, byte[] input, String fix, String... expected) {
        return new Case(name, input, List.of(expected), fix);
    }

    static Stream<Case> cases() {
        return Stream.of(
                // ---- wrong types
                yaml("lease as a word", r -> fencing(r).put("leaseSeconds", "four"), "write an integer",
                        "spec.fencing.leaseSeconds | must be an integer, got string \"four\""),
                yaml("lease as a quoted number", r -> fencing(r).put("leaseSeconds", "4"), "write the number without quotes: 4",
                        "spec.fencing.leaseSeconds | must be an integer, got string \"4\""),
                yaml("lease as a fraction", r -> fencing(r).put("leaseSeconds", 4.5), "write a whole number",
                        "spec.fencing.leaseSeconds | must be an integer, got number 4.5"),
                raw("unquoted octal mode is a YAML number", Fixtures.BASE.replace("mode: \"0700\"", "mode: 0700"),
                        "quote the value: \"700\"",
                        "spec.ownership.mode | must be a string, got integer 700"),
                raw("yes is not a boolean (YAML 1.2)", Fixtures.BASE + "  paused: yes\n", "write true or false",
                        "spec.paused | must be a boolean, got string \"yes\""),
                yaml("fence command as a string", r -> {
                    fencing(r).put("external", "command");
                    fencing(r).put("command", "/usr/local/bin/fence --off");
                }, "write a list, e.g. [/usr/local/bin/fence --off]",
                        "spec.fencing.command | must be an array, got string \"/usr/local/bin/fence --off\""),
                yaml("driver option as a number", r -> spec(r).withObjectProperty("volume").withObjectProperty("options").put("size", 10),
                        "quote the value: \"10\"",
                        "spec.volume.options.size | must be a string, got integer 10"),
                yaml("spec is a list", r -> r.putArray("spec").add("x"), "write a mapping of fields",
                        "spec | must be an object, got a list"),
                // ---- unknown fields
                yaml("unknown field in spec", r -> spec(r).put("leaseSeconds", 4),
                        "remove it; known fields here: service, volume, target",
                        "spec.leaseSeconds | unknown field \"leaseSeconds\""),
                yaml("misspelt field", r -> fencing(r).put("leaseSecond", 4), "did you mean 'leaseSeconds'?",
                        "spec.fencing.leaseSecond | unknown field \"leaseSecond\""),
                yaml("unknown top-level field", r -> r.put("specs", "x"), "did you mean 'spec'?",
                        "specs | unknown field \"specs\""),
                yaml("namespace on a cluster-scoped resource", r -> r.withObjectProperty("metadata").put("namespace", "shop"),
                        "remove metadata.namespace",
                        "metadata.namespace | RelocatableVolume is cluster-scoped (Swarm has no namespaces)"),
                // ---- required fields
                yaml("missing driver", r -> spec(r).withObjectProperty("volume").remove("driver"), "add driver",
                        "spec.volume.driver | is required"),
                yaml("spec is null", r -> r.putNull("spec"), "add spec",
                        "spec | is required"),
                yaml("missing name", r -> r.withObjectProperty("metadata").remove("name"), "add a name",
                        "metadata.name | is required"),
                // ---- drivers and volumes
                yaml("unknown driver", r -> spec(r).withObjectProperty("volume").put("driver", "rexray/ebs"),
                        "use one of: local, vieux/sshfs, or add the plugin to the operator's driver allowlist",
                        "spec.volume.driver | unknown volume driver \"rexray/ebs\""),
                yaml("local volume without options stays on one node", r -> spec(r).withObjectProperty("volume").remove("options"),
                        "point it at shared storage",
                        "spec.volume.options | a local volume without options lives on one node's disk: after a move the workload would start on an empty volume"),
                yaml("tmpfs cannot move", r -> spec(r).withObjectProperty("volume").putObject("options").put("type", "tmpfs"),
                        "use shared storage",
                        "spec.volume.options.type | tmpfs keeps the data in one node's memory; it cannot follow the workload and is lost on a move"),
                yaml("local options without a type", r -> spec(r).withObjectProperty("volume").withObjectProperty("options").remove("type"),
                        "set type, e.g. type: nfs",
                        "spec.volume.options.type | the local driver cannot mount without a file system type"),
                yaml("NFS without a server address", r -> spec(r).withObjectProperty("volume").withObjectProperty("options").put("o", "rw"),
                        "add addr=<server> to o",
                        "spec.volume.options.o | an NFS mount needs the server address"),
                yaml("misspelt local driver option", r -> spec(r).withObjectProperty("volume").withObjectProperty("options").put("devise", "x"),
                        "did you mean 'device'?",
                        "spec.volume.options.devise | the local driver has no option \"devise\""),
                // ---- bind mounts of the host
                yaml("bind mount of /", r -> bind(r, "/"), "use a dedicated directory of shared storage",
                        "spec.volume.options.device | bind mount of the host's root file system (\"/\") would hand the workload control of the host"),
                yaml("bind mount of /etc", r -> bind(r, "/etc"), "/srv/relocator/<name>",
                        "spec.volume.options.device | bind mount of the host's /etc (\"/etc\") would hand the workload control of the host"),
                yaml("bind mount of the Docker socket", r -> bind(r, "/var/run/docker.sock"), "/srv/relocator/<name>",
                        "spec.volume.options.device | bind mount of the host's /var/run/docker.sock (\"/var/run/docker.sock\") would hand the workload control of the host"),
                yaml("bind mount escaping with ..", r -> bind(r, "/srv/../etc/ssl"), "/srv/relocator/<name>",
                        "spec.volume.options.device | bind mount of a path under the host's /etc (\"/srv/../etc/ssl\") would hand the workload control of the host"),
                yaml("bind mount of a parent of the Docker socket", r -> bind(r, "/var//run/"), "/srv/relocator/<name>",
                        "spec.volume.options.device | bind mount of a directory that contains the host's /var/run/docker.sock (\"/var//run/\") would hand the workload control of the host"),
                yaml("bind mount of /proc", r -> bind(r, "/proc/1/root"), "/srv/relocator/<name>",
                        "spec.volume.options.device | bind mount of a path under the host's /proc (\"/proc/1/root\") would hand the workload control of the host"),
                yaml("bind mount with a relative device", r -> bind(r, "shared/pg"), "/srv/shared/shared/pg",
                        "spec.volume.options.device | \"shared/pg\" is not an absolute host path"),
                yaml("type none without o=bind", r -> {
                    bind(r, "/srv/shared/pg");
                    spec(r).withObjectProperty("volume").withObjectProperty("options").put("o", "rw");
                }, "set o: bind",
                        "spec.volume.options.o | type none is a bind mount but o has no bind"),
                // ---- fencing
                yaml("negative lease", r -> fencing(r).put("leaseSeconds", -1), "set leaseSeconds to a value between 2 and 300",
                        "spec.fencing.leaseSeconds | must be ≥ 2, got -1"),
                yaml("lease too long", r -> fencing(r).put("leaseSeconds", 301), "set leaseSeconds to a value between 2 and 300",
                        "spec.fencing.leaseSeconds | must be ≤ 300, got 301"),
                yaml("lease shorter than two heartbeats", r -> {
                    fencing(r).put("leaseSeconds", 3);
                    fencing(r).put("heartbeatSeconds", 2);
                }, "set leaseSeconds to at least 4 or heartbeatSeconds to at most 1",
                        "spec.fencing.leaseSeconds | must be ≥ 2 × spec.fencing.heartbeatSeconds (2), got 3; one lost heartbeat would already cost the lease"),
                yaml("lease shorter than the default heartbeat allows", r -> fencing(r).put("heartbeatSeconds", 3),
                        "set leaseSeconds to at least 6 or heartbeatSeconds to at most 2",
                        "spec.fencing.leaseSeconds | must be ≥ 2 × spec.fencing.heartbeatSeconds (3), got 4; one lost heartbeat would already cost the lease"),
                yaml("external command without a command", r -> fencing(r).put("external", "command"),
                        "give the fence program's argv",
                        "spec.fencing.command | is required when external is command"),
                yaml("external command with an empty command", r -> {
                    fencing(r).put("external", "command");
                    fencing(r).putArray("command");
                }, "give the fence program's argv",
                        "spec.fencing.command | is required when external is command"),
                yaml("fence command found through PATH", r -> {
                    fencing(r).put("external", "command");
                    fencing(r).putArray("command").add("fence-node");
                }, "/usr/local/bin/fence-node",
                        "spec.fencing.command[0] | \"fence-node\" is not an absolute path (the command runs without a shell or PATH lookup)"),
                yaml("external webhook without a URL", r -> fencing(r).put("external", "webhook"), "give the URL",
                        "spec.fencing.webhookUrl | is required when external is webhook"),
                yaml("command that would never run", r -> fencing(r).putArray("command").add("/bin/fence"),
                        "set external: command, or remove command",
                        "spec.fencing.command | is set but external is none, so it would never run"),
                yaml("unknown external fence", r -> fencing(r).put("external", "ipmi"), "use one of: none, command, webhook",
                        "spec.fencing.external | unsupported value \"ipmi\""),
                yaml("webhook URL that is not http", r -> {
                    fencing(r).put("external", "webhook");
                    fencing(r).put("webhookUrl", "file:///etc/passwd");
                }, "expected: URL that receives a POST",
                        "spec.fencing.webhookUrl | \"file:///etc/passwd\" does not match ^https?://[^\\s/$.?#][^\\s]*$"),
                // ---- names
                yaml("name with capitals and underscore", r -> r.withObjectProperty("metadata").put("name", "Shop_DB"),
                        "use a name such as \"shop-db\"",
                        "metadata.name | \"Shop_DB\" is not an RFC 1123 DNS label (lowercase letters, digits and '-', starting and ending with a letter or digit)"),
                yaml("name ending in a dash", r -> r.withObjectProperty("metadata").put("name", "pgdata-"),
                        "use a name such as \"pgdata\"",
                        "metadata.name | \"pgdata-\" is not an RFC 1123 DNS label (lowercase letters, digits and '-', starting and ending with a letter or digit)"),
                yaml("name longer than 63", r -> r.withObjectProperty("metadata").put("name", "a".repeat(64)), "shorten the name",
                        "metadata.name | must be at most 63 characters, got 64"),
                yaml("name as a number", r -> r.withObjectProperty("metadata").put("name", 42), "quote the value: \"42\"",
                        "metadata.name | must be a string"),
                yaml("label key with two slashes", r -> r.withObjectProperty("metadata").putObject("labels").put("a/b/c", "x"),
                        "use [prefix/]name",
                        "metadata.labels[a/b/c] | key \"a/b/c\" is not a qualified name"),
                // ---- ownership
                yaml("mode with an 8", r -> spec(r).withObjectProperty("ownership").put("mode", "0800"),
                        "expected: octal permission bits as a quoted string",
                        "spec.ownership.mode | \"0800\" does not match ^[0-7]{3,4}$"),
                yaml("mode the owner cannot write with", r -> spec(r).withObjectProperty("ownership").put("mode", "0500"),
                        "use \"0700\"",
                        "spec.ownership.mode | mode 0500 does not let the owner write into the volume (needs w and x for the owner)"),
                yaml("setuid mode", r -> spec(r).withObjectProperty("ownership").put("mode", "4700"), "drop it: \"0700\"",
                        "spec.ownership.mode | mode 4700 sets the setuid bit, which means nothing on a directory"),
                yaml("negative uid", r -> spec(r).withObjectProperty("ownership").put("uid", -1), "set uid to a value between 0 and 2147483647",
                        "spec.ownership.uid | must be ≥ 0, got -1"),
                yaml("gid beyond 31 bits", r -> spec(r).withObjectProperty("ownership").put("gid", 4294967296L),
                        "set gid to a value between 0 and 2147483647",
                        "spec.ownership.gid | must be ≤ 2147483647, got 4294967296"),
                // ---- mount options
                yaml("nosuid off without acknowledgement", r -> spec(r).putObject("mountOptions").put("nosuid", false),
                        "relocator.dev/allow-insecure-mount: \"true\"",
                        "spec.mountOptions.nosuid | nosuid: false lets files on the volume gain root on the host through setuid binaries"),
                yaml("acknowledgement must say true", r -> {
                    spec(r).putObject("mountOptions").put("nodev", false);
                    r.withObjectProperty("metadata").putObject("annotations").put("relocator.dev/allow-insecure-mount", "yes");
                }, "keep it true",
                        "spec.mountOptions.nodev | nodev: false lets files on the volume open host devices"),
                // ---- placement
                yaml("contradicting constraints", r -> constraints(r, "node.hostname==a", "node.hostname!=a"),
                        "remove one of the two constraints",
                        "spec.placement.constraints[1] | \"node.hostname!=a\" contradicts spec.placement.constraints[0] (\"node.hostname==a\"): no node satisfies both"),
                yaml("two different == for one key", r -> constraints(r, "node.labels.zone==a", "node.role==worker", "node.labels.zone == b"),
                        "remove one of the two constraints",
                        "spec.placement.constraints[2] | \"node.labels.zone == b\" contradicts spec.placement.constraints[0] (\"node.labels.zone==a\"): no node satisfies both"),
                yaml("pinning by node.id is the operator's", r -> constraints(r, "node.id==abc123"),
                        "node.hostname or node.labels",
                        "spec.placement.constraints[0] | node.id==… is the operator's pin to the attached node"),
                yaml("constraint in the wrong syntax", r -> constraints(r, "zone=a"), "expected: ",
                        "spec.placement.constraints[0] | \"zone=a\" does not match …"),
                yaml("duplicate constraint", r -> constraints(r, "node.role==worker", "node.role==worker"),
                        "remove the repeated entry",
                        "spec.placement.constraints[1] | duplicate value \"node.role==worker\""),
                // ---- target
                yaml("relative target", r -> spec(r).put("target", "data"), "expected: absolute path inside the container",
                        "spec.target | \"data\" does not match ^(/[^/,\\s]+)+$"),
                yaml("target with ..", r -> spec(r).put("target", "/data/../etc"), "/etc",
                        "spec.target | \"/data/../etc\" has '.' or '..' segments"),
                yaml("target with a trailing newline", r -> spec(r).put("target", "/data\n"), "expected: absolute path",
                        "spec.target | \"/data\n\" does not match ^(/[^/,\\s]+)+$"),
                yaml("target over the container's /proc", r -> spec(r).put("target", "/proc/data"), "/data",
                        "spec.target | \"/proc/data\" is inside the container's /proc, which the runtime mounts itself"),
                // ---- policy and status
                yaml("unknown task-failure policy", r -> spec(r).putObject("policy").put("onTaskFailure", "migrate"),
                        "use one of: restart, relocate",
                        "spec.policy.onTaskFailure | unsupported value \"migrate\""),
                yaml("phase in the wrong case", r -> r.putObject("status").put("phase", "attached"),
                        "did you mean \"Attached\"? Values are case-sensitive",
                        "status.phase | unsupported value \"attached\""),
                yaml("condition reason not CamelCase", r -> condition(r, "Ready", "not ready", "2026-12-04T20:00:00Z"),
                        "expected: camelCase machine-readable reason",
                        "status.conditions[0].reason | \"not ready\" does not match ^[A-Z][A-Za-z0-9]*$"),
                yaml("condition time not RFC 3339", r -> condition(r, "Ready", "Attached", "yesterday"),
                        "2026-12-04T20:13:15Z",
                        "status.conditions[0].lastTransitionTime | \"yesterday\" is not an RFC 3339 date-time"),
                yaml("duplicate condition type", r -> {
                    condition(r, "Ready", "Attached", "2026-12-04T20:00:00Z");
                    condition(r, "Ready", "Lost", "2026-12-04T20:00:01Z");
                }, "keep one entry per type",
                        "status.conditions[1] | duplicate entry with type=Ready"),
                // ---- identity
                yaml("wrong apiVersion", r -> r.put("apiVersion", "v1"), "use apiVersion: relocator.dev/v1alpha1",
                        "apiVersion | unsupported apiVersion \"v1\""),
                yaml("version not served", r -> r.put("apiVersion", "relocator.dev/v1"), "use apiVersion: relocator.dev/v1alpha1",
                        "apiVersion | version \"v1\" of relocator.dev is not served"),
                yaml("wrong kind", r -> r.put("kind", "RelocatableVolumes"), "did you mean RelocatableVolume?",
                        "kind | unsupported kind \"RelocatableVolumes\""),
                yaml("no identity at all", r -> {
                    r.remove("apiVersion");
                    r.remove("kind");
                }, "add apiVersion: relocator.dev/v1alpha1",
                        "apiVersion | is required", "kind | is required"),
                // ---- syntax and shape of the input
                raw("empty input", "", "write a RelocatableVolume", " | the input holds no document"),
                raw("only separators and comments", "---\n# nothing\n---\n", "write a RelocatableVolume",
                        " | the input holds no document"),
                raw("a scalar document", "hello\n", "write apiVersion, kind, metadata and spec",
                        " | a resource must be a mapping (object), got string"),
                raw("invalid JSON", "{\"apiVersion\": \"relocator.dev/v1alpha1\", \"kind\": }", "correct the syntax",
                        " | invalid JSON at line 1, column 50: Unexpected character ('}' (code 125)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                raw("JSON with a duplicate key", "{\"kind\": \"RelocatableVolume\", \"kind\": \"x\"}", "correct the syntax",
                        " | invalid JSON at line 1, column 37: Duplicate field 'kind'"),
                raw("JSON stream with a bare number", "{\"kind\": \"RelocatableVolume\"}\n42\n", "write the resource as a JSON object",
                        " | invalid JSON at line 2, column 1: a document must be an object, got a number"),
                raw("JSON NaN", "{\"spec\": {\"x\": NaN}}", "correct the syntax",
                        " | invalid JSON at line 1, column …"),
                raw("invalid YAML indentation", "spec:\n  service: a\n service: b\n", "correct the syntax",
                        " | invalid YAML at line 3, column 2: …"),
                raw("YAML duplicate key", Fixtures.BASE.replace("  target: /var/lib/postgresql/data\n",
                        "  target: /var/lib/postgresql/data\n  target: /\n"), "keep one of the two entries",
                        " | duplicate key \"target\" at line 12"),
                raw("YAML global tag naming a Java class", "!!java.net.URL [\"http://x\"]\n", "correct the syntax",
                        " | invalid YAML at line 1, column 1: Global tag is not allowed: tag:yaml.org,2002:java.net.URL"),
                raw("YAML local tag", Fixtures.BASE.replace("service: shop_db", "service: !secret shop_db"), "remove the tag",
                        " | YAML tag !secret at line 6 is not supported"),
                raw("YAML binary tag", Fixtures.BASE.replace("service: shop_db", "service: !!binary c2hvcA=="), "remove the tag",
                        " | YAML tag tag:yaml.org,2002:binary at line 6 is not supported"),
                raw("YAML merge key", Fixtures.BASE.replace("  target:", "  <<: {paused: true}\n  target:"),
                        "remove it; known fields here",
                        "spec[<<] | unknown field \"<<\""),
                raw("billion laughs", billionLaughs(), "write the values out instead of using anchors",
                        " | YAML uses more than 16 aliases to collections (alias expansion bomb?)"),
                raw("self-referencing alias", "a: &a [*a]\n", "remove recursive anchors",
                        " | YAML nests deeper than 32 levels (or an alias refers to itself)"),
                raw("deep nesting", "a: " + "[".repeat(200) + "]".repeat(200) + "\n", "flatten the document",
                        " | YAML nests deeper than 32 levels"),
                raw("deep JSON nesting", "{\"a\": " + "[".repeat(200) + "]".repeat(200) + "}", "flatten the document",
                        " | JSON exceeds a parser limit: Document nesting depth (33) exceeds the maximum allowed (32)"),
                bytes("not UTF-8", new byte[]{'k', 'i', 'n', 'd', ':', ' ', (byte) 0xC3, (byte) 0x28}, "save the file as UTF-8",
                        " | input is not valid UTF-8"),
                yaml("oversized resource", r -> r.withObjectProperty("metadata").putObject("annotations").put("x/y", "z".repeat(300 * 1024)),
                        "keep large data out of the resource",
                        " | the resource is …"),
                bytes("oversized input", ("# " + "x".repeat(1024 * 1024) + "\n").getBytes(StandardCharsets.UTF_8),
                        "split it into smaller files", " | input is 1048579 bytes, the limit is 1048576")
        );
    }

    private static void bind(ObjectNode r, String device) {
        ObjectNode o = spec(r).withObjectProperty("volume").putObject("options");
        o.put("type", "none");
        o.put("o", "bind");
        o.put("device", device);
    }

    private static void constraints(ObjectNode r, String... cs) {
        ArrayNode a = spec(r).putObject("placement").putArray("constraints");
        for (String c : cs) {
            a.add(c);
        }
    }

    private static void condition(ObjectNode r, String type, String reason, String time) {
        ObjectNode c = r.withObjectProperty("status").withArrayProperty("conditions").addObject();
        c.put("type", type);
        c.put("status", "True");
        c.put("reason", reason);
        c.put("lastTransitionTime", time);
    }

    /** Nine-fold expansion per level: 9^9 values if aliases were unbounded. */
    private static String billionLaughs() {
        StringBuilder b = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++) {
            b.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                b.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            b.append("]\n");
        }
        return b.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsWithPreciseErrors(Case c) {
        ResourceLoader.Result r = LOADER.load(c.input());
        List<FieldError> errors = r.errors();
        assertFalse(r.valid(), "accepted: " + c.name());
        assertTrue(r.resources().isEmpty(), "a rejected input yields no resource");
        List<String> actual = errors.stream().map(e -> e.field() + " | " + e.problem()).collect(Collectors.toList());
        assertEquals(c.expected().size(), actual.size(), () -> "errors: " + actual);
        for (int i = 0; i < actual.size(); i++) {
            String want = c.expected().get(i);
            if (want.endsWith("…")) {
                String prefix = want.substring(0, want.length() - 1);
                int at = i;
                assertTrue(actual.get(i).startsWith(prefix), () -> "expected prefix " + prefix + " but got " + actual.get(at));
            } else {
                assertEquals(want, actual.get(i));
            }
        }
        assertTrue(errors.get(0).fix().contains(c.fix()), () -> "fix \"" + errors.get(0).fix() + "\" lacks \"" + c.fix() + "\"");
        assertEquals(errors.get(0).problem() + ": " + errors.get(0).fix(), errors.get(0).message());
    }

    @Test
    void tableHasAtLeastThirtyRows() {
        assertTrue(cases().count() >= 30, "the brief asks for at least 30 hostile inputs");
    }
}
