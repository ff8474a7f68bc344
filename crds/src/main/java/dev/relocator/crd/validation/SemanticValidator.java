package dev.relocator.crd.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.validation.FieldError.Type;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Rules the OpenAPI schema cannot express, applied to a defaulted resource. Every check reads
 * the tree defensively: a field of the wrong type is the schema's report, not this one's.
 */
public final class SemanticValidator implements SemanticRules {

    /**
     * Host paths a bind-mounted volume may neither be, lie under, nor contain: they give the
     * workload the host (its configuration, kernel interfaces, devices, the Docker API).
     */
    public static final List<String> PROTECTED_HOST_PATHS = List.of(
            "/etc", "/proc", "/sys", "/dev", "/boot", "/var/run/docker.sock", "/run/docker.sock",
            "/var/lib/docker", "/run/containerd", "/var/run/containerd");
    /** Container paths a volume must not cover: the runtime mounts its own file systems there. */
    private static final List<String> PROTECTED_CONTAINER_PATHS = List.of("/proc", "/sys", "/dev");
    private static final Set<String> LOCAL_DRIVER_OPTIONS = Set.of("type", "o", "device", "size");
    private static final Pattern CONSTRAINT = Pattern.compile("^\\s*(\\S+?)\\s*(==|!=)\\s*(\\S+)\\s*$");

    private final ValidationOptions options;

    public SemanticValidator(ValidationOptions options) {
        this.options = options;
    }

    @Override
    public List<FieldError> check(JsonNode resource) {
        List<FieldError> out = new ArrayList<>();
        JsonNode spec = resource.path("spec");
        if (spec.isObject()) {
            checkVolume(spec.path("volume"), out);
            checkTarget(spec.path("target"), out);
            checkOwnership(spec.path("ownership"), out);
            checkMountOptions(spec.path("mountOptions"), resource.path("metadata").path("annotations"), out);
            checkFencing(spec.path("fencing"), out);
            checkPlacement(spec.path("placement").path("constraints"), out);
        }
        JsonNode status = resource.path("status");
        if (status.isObject()) {
            checkStatus(status, out);
        }
        return out;
    }

    private void checkVolume(JsonNode volume, List<FieldError> out) {
        JsonNode driverNode = volume.path("driver");
        if (!driverNode.isTextual()) {
            return;
        }
        String driver = driverNode.textValue();
        if (!options.driverAllowed(driver)) {
            out.add(new FieldError("spec.volume.driver", Type.NOT_SUPPORTED, "unknown volume driver \"" + driver + "\"",
                    "use one of: " + String.join(", ", options.volumeDrivers())
                            + ", or add the plugin to the operator's driver allowlist"));
            return;
        }
        if (!ValidationOptions.LOCAL_DRIVER.equals(driver)) {
            return; // plugin options are the plugin's business
        }
        JsonNode opts = volume.path("options");
        Map<String, String> o = new HashMap<>();
        opts.properties().forEach(e -> {
            if (e.getValue().isTextual()) {
                o.put(e.getKey(), e.getValue().textValue());
            }
        });
        if (o.isEmpty()) {
            out.add(new FieldError("spec.volume.options", Type.REQUIRED,
                    "a local volume without options lives on one node's disk: after a move the workload would start on an empty volume",
                    "point it at shared storage, e.g. {type: nfs, o: \"addr=nas,rw\", device: \":/export\"} or {type: none, o: bind, device: /srv/shared/<name>}"));
            return;
        }
        for (String k : new TreeSet<>(o.keySet())) {
            if (!LOCAL_DRIVER_OPTIONS.contains(k)) {
                out.add(new FieldError(FieldPath.key("spec.volume.options", k), Type.NOT_SUPPORTED,
                        "the local driver has no option \"" + k + "\"",
                        Suggest.closest(k, LOCAL_DRIVER_OPTIONS).map(c -> "did you mean '" + c + "'? ").orElse("")
                                + "use type, o, device"));
            }
        }
        String type = o.getOrDefault("type", "");
        Set<String> mountOpts = Arrays.stream(o.getOrDefault("o", "").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(LinkedHashSet::new));
        boolean bind = mountOpts.contains("bind") || mountOpts.contains("rbind");
        if (type.isEmpty() && !bind) {
            out.add(new FieldError("spec.volume.options.type", Type.REQUIRED,
                    "the local driver cannot mount without a file system type",
                    "set type, e.g. type: nfs, or type: none with o: bind for a shared directory"));
        } else if (type.equals("tmpfs")) {
            out.add(new FieldError("spec.volume.options.type", Type.FORBIDDEN,
                    "tmpfs keeps the data in one node's memory; it cannot follow the workload and is lost on a move",
                    "use shared storage (nfs, or a bind of a directory every node mounts)"));
        } else if (type.equals("none") && !bind) {
            out.add(new FieldError("spec.volume.options.o", Type.INVALID, "type none is a bind mount but o has no bind",
                    "set o: bind"));
        } else if (type.startsWith("nfs")) {
            if (mountOpts.stream().noneMatch(s -> s.startsWith("addr="))) {
                out.add(new FieldError("spec.volume.options.o", Type.REQUIRED, "an NFS mount needs the server address",
                        "add addr=<server> to o, e.g. o: \"addr=nas,rw,nfsvers=4\""));
            }
            if (!o.containsKey("device")) {
                out.add(new FieldError("spec.volume.options.device", Type.REQUIRED, "an NFS mount needs the export",
                        "set device to :/<export path>, e.g. device: \":/srv/pg\""));
            }
        }
        if (bind || type.equals("none")) {
            checkBindDevice(o.get("device"), out);
        }
    }

    private static void checkBindDevice(String device, List<FieldError> out) {
        String path = "spec.volume.options.device";
        if (device == null || device.isBlank()) {
            out.add(new FieldError(path, Type.REQUIRED, "a bind mount needs the host directory",
                    "set device to an absolute path of shared storage, e.g. /srv/shared/pgdata"));
            return;
        }
        if (!device.startsWith("/")) {
            out.add(new FieldError(path, Type.INVALID, "\"" + device + "\" is not an absolute host path",
                    "write the full path, e.g. /srv/shared/" + device));
            return;
        }
        String n = normalize(device);
        for (String p : PROTECTED_HOST_PATHS) {
            boolean same = n.equals(p);
            boolean under = n.startsWith(p + "/");
            boolean contains = n.equals("/") || p.startsWith(n + "/");
            if (same || under || contains) {
                String what = n.equals("/") ? "the host's root file system"
                        : same ? "the host's " + p : under ? "a path under the host's " + p : "a directory that contains the host's " + p;
                out.add(new FieldError(path, Type.FORBIDDEN, "bind mount of " + what + " (\"" + device
                        + "\") would hand the workload control of the host",
                        "use a dedicated directory of shared storage, e.g. /srv/relocator/<name>"));
                return;
            }
        }
    }

    /** Resolves '.', '..' and repeated slashes lexically; the host's symlinks are checked by the agent on attach. */
    static String normalize(String abs) {
        List<String> parts = new ArrayList<>();
        for (String s : abs.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else {
                parts.add(s);
            }
        }
        return "/" + String.join("/", parts);
    }

    private static void checkTarget(JsonNode target, List<FieldError> out) {
        if (!target.isTextual() || !target.textValue().startsWith("/")) {
            return;
        }
        String t = target.textValue();
        if (Arrays.stream(t.split("/")).anyMatch(s -> s.equals(".") || s.equals(".."))) {
            out.add(new FieldError("spec.target", Type.INVALID, "\"" + t + "\" has '.' or '..' segments",
                    "write the path without them: " + normalize(t)));
            return;
        }
        for (String p : PROTECTED_CONTAINER_PATHS) {
            if (t.equals(p) || t.startsWith(p + "/")) {
                out.add(new FieldError("spec.target", Type.FORBIDDEN, "\"" + t + "\" is inside the container's " + p
                        + ", which the runtime mounts itself", "mount the volume at a data directory such as /data"));
            }
        }
    }

    private static void checkOwnership(JsonNode own, List<FieldError> out) {
        JsonNode mode = own.path("mode");
        if (!mode.isTextual() || !mode.textValue().matches("[0-7]{3,4}")) {
            return;
        }
        int bits = Integer.parseInt(mode.textValue(), 8);
        if ((bits & 04000) != 0) {
            out.add(new FieldError("spec.ownership.mode", Type.INVALID, "mode " + mode.textValue()
                    + " sets the setuid bit, which means nothing on a directory",
                    "drop it: \"" + String.format("%04o", bits & 03777) + "\""));
        } else if ((bits & 0300) != 0300) {
            out.add(new FieldError("spec.ownership.mode", Type.INVALID, "mode " + mode.textValue()
                    + " does not let the owner write into the volume (needs w and x for the owner)",
                    "use \"" + String.format("%04o", bits | 0700) + "\" or e.g. \"0700\""));
        }
    }

    private static void checkMountOptions(JsonNode mo, JsonNode annotations, List<FieldError> out) {
        boolean acknowledged = "true".equals(annotations.path(RelocatableVolume.ALLOW_INSECURE_MOUNT_ANNOTATION).asText(null));
        for (String opt : List.of("nosuid", "nodev")) {
            JsonNode v = mo.path(opt);
            if (v.isBoolean() && !v.booleanValue() && !acknowledged) {
                out.add(new FieldError("spec.mountOptions." + opt, Type.FORBIDDEN, opt + ": false lets files on the volume "
                        + (opt.equals("nosuid") ? "gain root on the host through setuid binaries" : "open host devices"),
                        "keep it true, or acknowledge the risk with the annotation "
                                + RelocatableVolume.ALLOW_INSECURE_MOUNT_ANNOTATION + ": \"true\""));
            }
        }
    }

    private static void checkFencing(JsonNode f, List<FieldError> out) {
        JsonNode lease = f.path("leaseSeconds");
        JsonNode hb = f.path("heartbeatSeconds");
        if (lease.isIntegralNumber() && hb.isIntegralNumber() && hb.longValue() > 0
                && lease.longValue() < 2 * hb.longValue()) {
            long need = 2 * hb.longValue();
            out.add(new FieldError("spec.fencing.leaseSeconds", Type.INVALID,
                    "must be ≥ 2 × spec.fencing.heartbeatSeconds (" + hb.longValue() + "), got " + lease.longValue()
                            + "; one lost heartbeat would already cost the lease",
                    "set leaseSeconds to at least " + need + (lease.longValue() >= 2
                            ? " or heartbeatSeconds to at most " + lease.longValue() / 2 : "")));
        }
        checkExternalFence(f, "spec.fencing", out);
    }

    /**
     * The external-fence fields shared by a volume's {@code spec.fencing} and the fence hooks of
     * RelocatorConfig: the chosen mechanism has what it needs, and nothing is set that it would
     * never use.
     */
    public static void checkExternalFence(JsonNode f, String base, List<FieldError> out) {
        String external = f.path("external").asText("none");
        JsonNode command = f.path("command");
        JsonNode url = f.path("webhookUrl");
        boolean hasCommand = command.isArray() && command.size() > 0;
        boolean hasUrl = url.isTextual() && !url.textValue().isEmpty();
        switch (external) {
            case "command" -> {
                if (!hasCommand && (command.isArray() || command.isMissingNode())) {
                    out.add(new FieldError(base + ".command", Type.REQUIRED, "is required when external is command",
                            "give the fence program's argv, e.g. [/usr/local/bin/fence-node, --power-off]"));
                } else if (hasCommand && command.get(0).isTextual() && !command.get(0).textValue().startsWith("/")) {
                    out.add(new FieldError(base + ".command[0]", Type.INVALID, "\"" + command.get(0).textValue()
                            + "\" is not an absolute path (the command runs without a shell or PATH lookup)",
                            "write the program's full path, e.g. /usr/local/bin/" + command.get(0).textValue()));
                }
                if (hasUrl) {
                    out.add(unused(base, "webhookUrl", external));
                }
            }
            case "webhook" -> {
                if (!hasUrl && (url.isMissingNode() || url.isTextual())) {
                    out.add(new FieldError(base + ".webhookUrl", Type.REQUIRED, "is required when external is webhook",
                            "give the URL that powers a node off, e.g. https://fence.example/nodes"));
                }
                if (hasCommand) {
                    out.add(unused(base, "command", external));
                }
            }
            case "none" -> {
                if (hasCommand) {
                    out.add(unused(base, "command", external));
                }
                if (hasUrl) {
                    out.add(unused(base, "webhookUrl", external));
                }
            }
            default -> { }
        }
    }

    private static FieldError unused(String base, String field, String external) {
        String needed = field.equals("command") ? "command" : "webhook";
        return new FieldError(base + "." + field, Type.INVALID, "is set but external is " + external
                + ", so it would never run", "set external: " + needed + ", or remove " + field);
    }

    private static void checkPlacement(JsonNode constraints, List<FieldError> out) {
        if (!constraints.isArray()) {
            return;
        }
        record Parsed(int index, String key, String op, String value, String text) { }
        List<Parsed> parsed = new ArrayList<>();
        for (int i = 0; i < constraints.size(); i++) {
            JsonNode c = constraints.get(i);
            if (!c.isTextual()) {
                continue;
            }
            Matcher m = CONSTRAINT.matcher(c.textValue());
            if (!m.matches()) {
                continue; // the schema pattern reports it
            }
            Parsed p = new Parsed(i, m.group(1), m.group(2), m.group(3), c.textValue().trim());
            String path = FieldPath.index("spec.placement.constraints", i);
            if (p.key().equals("node.id") && p.op().equals("==")) {
                out.add(new FieldError(path, Type.FORBIDDEN, "node.id==… is the operator's pin to the attached node",
                        "constrain with node.hostname or node.labels.<key> instead"));
                continue;
            }
            if (p.key().equals("node.role") && !p.value().equals("manager") && !p.value().equals("worker")) {
                out.add(new FieldError(path, Type.NOT_SUPPORTED, "node.role is manager or worker, got \"" + p.value() + "\"",
                        "use node.role==manager or node.role==worker"));
                continue;
            }
            for (Parsed q : parsed) {
                if (!q.key().equals(p.key())) {
                    continue;
                }
                boolean contradiction = (q.op().equals("==") && p.op().equals("==") && !q.value().equals(p.value()))
                        || (!q.op().equals(p.op()) && q.value().equals(p.value()));
                if (contradiction) {
                    out.add(new FieldError(path, Type.INVALID, "\"" + p.text() + "\" contradicts spec.placement.constraints["
                            + q.index() + "] (\"" + q.text() + "\"): no node satisfies both",
                            "remove one of the two constraints"));
                    break;
                }
            }
            parsed.add(p);
        }
    }

    private static void checkStatus(JsonNode status, List<FieldError> out) {
        String phase = status.path("phase").asText("");
        if (phase.equals("Attached") && !status.path("node").isTextual()) {
            out.add(new FieldError("status.node", Type.REQUIRED, "is required when phase is Attached",
                    "set the node that holds the attachment"));
        }
        JsonNode lr = status.path("lastRelocation");
        String started = lr.path("started").asText(null);
        String finished = lr.path("finished").asText(null);
        if (started != null && finished != null && MetadataValidator.isDateTime(started) && MetadataValidator.isDateTime(finished)
                && OffsetDateTime.parse(finished).isBefore(OffsetDateTime.parse(started))) {
            out.add(new FieldError("status.lastRelocation.finished", Type.INVALID, "is before started (" + started + ")",
                    "record the finish time of the same relocation"));
        }
    }
}
