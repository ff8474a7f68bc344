package dev.relocator.crd.labels;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.validation.FieldError;
import dev.relocator.crd.validation.FieldError.Type;
import dev.relocator.crd.validation.MetadataValidator;
import dev.relocator.crd.validation.ResourceValidator;
import dev.relocator.crd.validation.Suggest;
import dev.relocator.crd.validation.ValidationException;
import dev.relocator.crd.validation.ValidationOptions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * The stack-file form: a service opts in with {@code deploy.labels} such as
 * {@code relocator.dev/volume=pgdata}, and the labels plus the service name become the same
 * RelocatableVolume the YAML form gives, validated by the same validator. Errors point at
 * the label that caused them ({@code labels[relocator.dev/uid]}).
 *
 * <p>Values are typed the way YAML would type them: a label that reads as an integer becomes
 * a number, {@code true}/{@code false} a boolean; anything else stays a string, so a bad
 * value gets the schema's own message ("must be an integer, got string \"abc\"").
 *
 * <p>What the service itself already states is not repeated in labels ({@link Workload}): the
 * target, driver and options come from the service's mount whose source is the volume, and the
 * placement from the service's own constraints (without the controller's {@code node.id} pin),
 * unless a label sets them. That is what a stack file with {@code relocator.dev/volume} and a
 * {@code volumes:} entry means, and the controller writes the service's constraints from
 * {@code spec.placement}, so dropping them would move the workload where its author did not allow.
 */
public final class LabelShorthand {

    public static final String PREFIX = "relocator.dev/";
    public static final String VOLUME = PREFIX + "volume";
    public static final String NAME = PREFIX + "name";
    public static final String DRIVER = PREFIX + "driver";
    public static final String VOLUME_OPT = PREFIX + "volume-opt.";
    public static final String TARGET = PREFIX + "target";
    public static final String UID = PREFIX + "uid";
    public static final String GID = PREFIX + "gid";
    public static final String MODE = PREFIX + "mode";
    public static final String NOSUID = PREFIX + "nosuid";
    public static final String NODEV = PREFIX + "nodev";
    public static final String LEASE_SECONDS = PREFIX + "lease-seconds";
    public static final String HEARTBEAT_SECONDS = PREFIX + "heartbeat-seconds";
    public static final String FENCE = PREFIX + "fence";
    public static final String FENCE_COMMAND = PREFIX + "fence-command";
    public static final String FENCE_WEBHOOK_URL = PREFIX + "fence-webhook-url";
    public static final String FENCE_TIMEOUT_SECONDS = PREFIX + "fence-timeout-seconds";
    public static final String CONSTRAINTS = PREFIX + "constraints";
    public static final String ON_TASK_FAILURE = PREFIX + "on-task-failure";
    public static final String MAX_RESTARTS = PREFIX + "max-restarts";
    public static final String PAUSED = PREFIX + "paused";
    /** Same key as the YAML form's annotation, copied into metadata.annotations. */
    public static final String ALLOW_INSECURE_MOUNT = RelocatableVolume.ALLOW_INSECURE_MOUNT_ANNOTATION;

    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Label → the field it sets (for error mapping and the README table). */
    private static final Map<String, String> FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put(VOLUME, "spec.volume.name");
        FIELDS.put(NAME, "metadata.name");
        FIELDS.put(DRIVER, "spec.volume.driver");
        FIELDS.put(TARGET, "spec.target");
        FIELDS.put(UID, "spec.ownership.uid");
        FIELDS.put(GID, "spec.ownership.gid");
        FIELDS.put(MODE, "spec.ownership.mode");
        FIELDS.put(NOSUID, "spec.mountOptions.nosuid");
        FIELDS.put(NODEV, "spec.mountOptions.nodev");
        FIELDS.put(LEASE_SECONDS, "spec.fencing.leaseSeconds");
        FIELDS.put(HEARTBEAT_SECONDS, "spec.fencing.heartbeatSeconds");
        FIELDS.put(FENCE, "spec.fencing.external");
        FIELDS.put(FENCE_COMMAND, "spec.fencing.command");
        FIELDS.put(FENCE_WEBHOOK_URL, "spec.fencing.webhookUrl");
        FIELDS.put(FENCE_TIMEOUT_SECONDS, "spec.fencing.timeoutSeconds");
        FIELDS.put(CONSTRAINTS, "spec.placement.constraints");
        FIELDS.put(ON_TASK_FAILURE, "spec.policy.onTaskFailure");
        FIELDS.put(MAX_RESTARTS, "spec.policy.maxRestarts");
        FIELDS.put(PAUSED, "spec.paused");
        FIELDS.put(ALLOW_INSECURE_MOUNT, "metadata.annotations[" + ALLOW_INSECURE_MOUNT + "]");
    }

    /** The controller's pin among a service's constraints: never part of the user's placement. */
    private static final String PIN_PREFIX = "node.id==";
    /** A derived field whose absence the mount error already explains. */
    private static final String ALREADY_REPORTED = "";

    private final ResourceValidator validator;
    /** When set, the driver of the service's own mount is allowed besides these (see {@link #parse}). */
    private final ValidationOptions options;

    public LabelShorthand(ResourceValidator validator) {
        this.validator = validator;
        this.options = null;
    }

    /**
     * A shorthand whose driver allowlist is {@code options}' plus the driver the service's own mount
     * names: Swarm already creates that volume with that plugin on whatever node runs the task, so
     * refusing it would not keep the plugin out, only leave the workload unprotected.
     */
    public LabelShorthand(ValidationOptions options) {
        this.validator = ResourceValidator.relocatableVolumes(options);
        this.options = options;
    }

    /** One mount of the service's task template ({@code type} as Swarm spells it: volume, bind, tmpfs, npipe). */
    public record Mount(String type, String source, String target, String driver, Map<String, String> options) {
        public Mount {
            options = options == null ? Map.of() : Map.copyOf(options);
        }

        boolean namedVolume() {
            return type == null || type.isBlank() || type.equalsIgnoreCase("volume");
        }
    }

    /** What the service itself states besides its labels: its mounts and its placement constraints. */
    public record Workload(List<Mount> mounts, List<String> constraints) {
        public static final Workload NONE = new Workload(List.of(), List.of());

        public Workload {
            mounts = mounts == null ? List.of() : List.copyOf(mounts);
            constraints = constraints == null ? List.of() : List.copyOf(constraints);
        }
    }

    /** Every label of the shorthand and the field it sets ({@code volume-opt.<key>} is a family). */
    public static Map<String, String> fields() {
        Map<String, String> m = new LinkedHashMap<>(FIELDS);
        m.put(VOLUME_OPT + "<key>", "spec.volume.options.<key>");
        return m;
    }

    /** A service opts in by carrying {@code relocator.dev/volume}. */
    public static boolean optsIn(Map<String, String> serviceLabels) {
        return serviceLabels.containsKey(VOLUME);
    }

    /** The path under which an error about {@code label} is reported. */
    public static String labelPath(String label) {
        return "labels[" + label + "]";
    }

    /** The resource the labels describe, not yet validated; unknown relocator.dev/ labels go to {@code errors}. */
    public static ObjectNode toUnstructured(String service, Map<String, String> labels, List<FieldError> errors) {
        return toUnstructured(service, labels, Workload.NONE, errors, new LinkedHashMap<>());
    }

    /**
     * As {@link #toUnstructured(String, Map, List)}, then the fields no label sets are filled from
     * {@code workload}; {@code derived} receives each filled field and the path it is reported under.
     */
    static ObjectNode toUnstructured(String service, Map<String, String> labels, Workload workload, List<FieldError> errors,
                                     Map<String, String> derived) {
        ObjectNode rv = F.objectNode();
        rv.put("apiVersion", RelocatableVolume.API_VERSION);
        rv.put("kind", RelocatableVolume.KIND);
        ObjectNode meta = rv.putObject("metadata");
        ObjectNode spec = rv.putObject("spec");
        spec.put("service", service);
        String volume = labels.get(VOLUME);
        if (volume == null) {
            errors.add(new FieldError(labelPath(VOLUME), Type.REQUIRED, "is required to opt a service in",
                    "add the label " + VOLUME + "=<volume name> to the service's deploy.labels"));
            volume = "";
        }
        meta.put("name", Optional.ofNullable(labels.get(NAME)).orElse(MetadataValidator.toDnsLabel(volume)));
        Map<String, String> ordered = new TreeMap<>(labels);
        for (Map.Entry<String, String> e : ordered.entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            if (!k.startsWith(PREFIX) || k.equals(NAME)) {
                continue; // labels of other tools are not ours to judge
            }
            if (k.startsWith(VOLUME_OPT)) {
                String opt = k.substring(VOLUME_OPT.length());
                if (opt.isEmpty()) {
                    errors.add(new FieldError(labelPath(k), Type.INVALID, "names no option",
                            "write " + VOLUME_OPT + "<option>=<value>, e.g. " + VOLUME_OPT + "type=nfs"));
                } else {
                    obj(spec, "volume").withObjectProperty("options").put(opt, v);
                }
                continue;
            }
            BiConsumer<ObjectNode, String> setter = setter(k);
            if (setter == null) {
                errors.add(new FieldError(labelPath(k), Type.NOT_SUPPORTED, "unknown Relocator label",
                        Suggest.closest(k, FIELDS.keySet()).map(c -> "did you mean " + c + "? ")
                                .orElse("") + "see crds/README.md for the label set"));
                continue;
            }
            setter.accept(rv, v);
        }
        if (!volume.isEmpty()) {
            derive(spec, service, volume, labels, workload, errors, derived);
        }
        return rv;
    }

    /**
     * Target, driver and options from the service's mount of the volume; placement from the service's
     * constraints. A label always wins; a labelled target must be where the service mounts the volume.
     */
    private static void derive(ObjectNode spec, String service, String volume, Map<String, String> labels, Workload workload,
                               List<FieldError> errors, Map<String, String> derived) {
        List<Mount> sameSource = workload.mounts().stream().filter(m -> volume.equals(m.source())).toList();
        List<Mount> volumeMounts = sameSource.stream().filter(Mount::namedVolume).toList();
        String where = "mounts[" + volume + "]";
        Mount chosen = null;
        String labelled = labels.get(TARGET);
        if (labelled != null) {
            chosen = volumeMounts.stream().filter(m -> labelled.equals(m.target())).findFirst().orElse(null);
            if (chosen == null && !volumeMounts.isEmpty()) {
                errors.add(new FieldError(labelPath(TARGET), Type.INVALID, "is " + labelled + ", but service " + service
                        + " mounts volume " + volume + " at " + targets(volumeMounts),
                        "remove the label (the mount's target is used) or set it to " + targets(volumeMounts)));
            }
        } else if (volumeMounts.isEmpty()) {
            String other = sameSource.isEmpty() ? "" : " (it has a " + sameSource.get(0).type() + " mount with that source, "
                    + "which is not a named volume)";
            errors.add(new FieldError(labelPath(VOLUME), Type.INVALID, "service " + service + " mounts no volume named "
                    + volume + other + ", so the mount path is unknown",
                    "add the mount to the service (--mount type=volume,source=" + volume + ",target=<path>; in a stack file "
                            + "volumes: [\"" + volume + ":<path>\"]), or set " + TARGET + "=<path>"));
        } else if (volumeMounts.size() > 1) {
            errors.add(new FieldError(labelPath(TARGET), Type.REQUIRED, "is needed: service " + service + " mounts volume "
                    + volume + " " + volumeMounts.size() + " times (at " + targets(volumeMounts) + ")",
                    "set " + TARGET + " to the mount path Relocator protects, one of " + targets(volumeMounts)));
        } else {
            chosen = volumeMounts.get(0);
            spec.put("target", chosen.target());
            derived.put("spec.target", where + ".target");
        }
        boolean optionLabels = labels.keySet().stream().anyMatch(k -> k.startsWith(VOLUME_OPT));
        if (chosen == null && (labelled == null || !volumeMounts.isEmpty())) {
            // the mount error above says it all: what the mount would have given is not reported missing as well
            if (labelled == null) {
                derived.put("spec.target", ALREADY_REPORTED);
            }
            if (!labels.containsKey(DRIVER)) {
                derived.put("spec.volume.driver", ALREADY_REPORTED);
            }
            if (!optionLabels) {
                derived.put("spec.volume.options", ALREADY_REPORTED);
            }
        }
        if (chosen != null) {
            ObjectNode vol = obj(spec, "volume");
            if (!labels.containsKey(DRIVER)) {
                vol.put("driver", chosen.driver() == null || chosen.driver().isBlank()
                        ? ValidationOptions.LOCAL_DRIVER : chosen.driver());
                derived.put("spec.volume.driver", where + ".driver");
            }
            if (!optionLabels && !chosen.options().isEmpty()) {
                ObjectNode o = vol.putObject("options");
                new TreeMap<>(chosen.options()).forEach(o::put);
            }
            if (!optionLabels) {
                derived.put("spec.volume.options", where + ".options");
            }
        }
        if (!labels.containsKey(CONSTRAINTS)) {
            List<String> own = workload.constraints().stream()
                    .filter(c -> !c.replace(" ", "").startsWith(PIN_PREFIX)).toList();
            if (!own.isEmpty()) {
                ArrayNode a = obj(spec, "placement").putArray("constraints");
                own.forEach(a::add);
                derived.put("spec.placement.constraints", "constraints");
            }
        }
    }

    private static String targets(List<Mount> mounts) {
        return String.join(", ", mounts.stream().map(Mount::target).toList());
    }

    private static BiConsumer<ObjectNode, String> setter(String label) {
        return switch (label) {
            case VOLUME -> (rv, v) -> obj(spec(rv), "volume").put("name", v);
            case DRIVER -> (rv, v) -> obj(spec(rv), "volume").put("driver", v);
            case TARGET -> (rv, v) -> spec(rv).put("target", v);
            case UID -> (rv, v) -> obj(spec(rv), "ownership").set("uid", typed(v));
            case GID -> (rv, v) -> obj(spec(rv), "ownership").set("gid", typed(v));
            case MODE -> (rv, v) -> obj(spec(rv), "ownership").put("mode", v);
            case NOSUID -> (rv, v) -> obj(spec(rv), "mountOptions").set("nosuid", typed(v));
            case NODEV -> (rv, v) -> obj(spec(rv), "mountOptions").set("nodev", typed(v));
            case LEASE_SECONDS -> (rv, v) -> obj(spec(rv), "fencing").set("leaseSeconds", typed(v));
            case HEARTBEAT_SECONDS -> (rv, v) -> obj(spec(rv), "fencing").set("heartbeatSeconds", typed(v));
            case FENCE -> (rv, v) -> obj(spec(rv), "fencing").put("external", v);
            case FENCE_COMMAND -> (rv, v) -> obj(spec(rv), "fencing").set("command", argv(v));
            case FENCE_WEBHOOK_URL -> (rv, v) -> obj(spec(rv), "fencing").put("webhookUrl", v);
            case FENCE_TIMEOUT_SECONDS -> (rv, v) -> obj(spec(rv), "fencing").set("timeoutSeconds", typed(v));
            case CONSTRAINTS -> (rv, v) -> {
                ArrayNode a = obj(spec(rv), "placement").putArray("constraints");
                for (String c : v.split(";")) {
                    if (!c.isBlank()) {
                        a.add(c.trim());
                    }
                }
            };
            case ON_TASK_FAILURE -> (rv, v) -> obj(spec(rv), "policy").put("onTaskFailure", v);
            case MAX_RESTARTS -> (rv, v) -> obj(spec(rv), "policy").set("maxRestarts", typed(v));
            case PAUSED -> (rv, v) -> spec(rv).set("paused", typed(v));
            case ALLOW_INSECURE_MOUNT -> (rv, v) -> obj((ObjectNode) rv.get("metadata"), "annotations").put(label, v);
            default -> null;
        };
    }

    /**
     * The fence argv: a JSON list ({@code ["/usr/local/bin/fence","--off"]}) or, for a
     * program without arguments, its path alone. No shell-style splitting: quoting rules
     * inside a label would be one more language to get wrong.
     */
    private static JsonNode argv(String v) {
        String t = v.trim();
        if (t.startsWith("[")) {
            ArrayNode a = F.arrayNode();
            try {
                JsonNode parsed = JSON.readTree(t);
                if (parsed.isArray()) {
                    parsed.forEach(a::add);
                    return a;
                }
            } catch (JsonProcessingException e) {
                // falls through: a string where a list belongs, reported by the schema
            }
            return TextNode.valueOf(v);
        }
        return t.isEmpty() ? F.arrayNode() : F.arrayNode().add(t);
    }

    private static JsonNode typed(String v) {
        if (INTEGER.matcher(v).matches()) {
            return F.numberNode(Long.parseLong(v));
        }
        if (v.equals("true") || v.equals("false")) {
            return F.booleanNode(Boolean.parseBoolean(v));
        }
        return TextNode.valueOf(v);
    }

    private static ObjectNode spec(ObjectNode rv) {
        return (ObjectNode) rv.get("spec");
    }

    private static ObjectNode obj(ObjectNode parent, String name) {
        return parent.withObjectProperty(name);
    }

    /**
     * Parses and validates labels alone (no mount or constraints known): {@code relocator.dev/target}
     * is then required. Errors are reported under the label that set the field.
     */
    public ResourceValidator.Result parse(String service, Map<String, String> labels) {
        return parse(service, labels, Workload.NONE);
    }

    /**
     * Parses and validates a service: its labels, and what {@code workload} states for the fields no
     * label sets. Errors are reported under the label that set the field, or under
     * {@code mounts[<volume>].…} / {@code constraints} for what came from the service.
     */
    public ResourceValidator.Result parse(String service, Map<String, String> labels, Workload workload) {
        List<FieldError> errors = new ArrayList<>();
        Map<String, String> derived = new LinkedHashMap<>();
        ObjectNode rv = toUnstructured(service, labels, workload, errors, derived);
        ResourceValidator v = validator;
        JsonNode driver = rv.path("spec").path("volume").path("driver");
        if (options != null && derived.containsKey("spec.volume.driver") && driver.isTextual()
                && !options.driverAllowed(driver.asText())) {
            List<String> drivers = new ArrayList<>(options.volumeDrivers());
            drivers.add(driver.asText());
            v = ResourceValidator.relocatableVolumes(options.withDrivers(drivers));
        }
        ResourceValidator.Result r = v.validate(rv);
        for (FieldError e : r.errors()) {
            String at = reportedAt(e.field(), derived);
            if (at != null) {
                errors.add(e.at(at));
            }
        }
        return new ResourceValidator.Result(errors.isEmpty() ? r.defaulted() : null, errors);
    }

    /** Where an error about {@code field} is reported; null when the mount error already covers it. */
    private static String reportedAt(String field, Map<String, String> derived) {
        for (Map.Entry<String, String> d : derived.entrySet()) {
            if (field.equals(d.getKey()) || field.startsWith(d.getKey() + ".") || field.startsWith(d.getKey() + "[")) {
                return d.getValue().equals(ALREADY_REPORTED) ? null : d.getValue() + field.substring(d.getKey().length());
            }
        }
        return toLabelPath(field);
    }

    /** The valid resource, or a {@link ValidationException} listing every label at fault. */
    public RelocatableVolume require(String service, Map<String, String> labels) {
        return require(service, labels, Workload.NONE);
    }

    /** The valid resource of a service, or a {@link ValidationException} listing every label or mount at fault. */
    public RelocatableVolume require(String service, Map<String, String> labels, Workload workload) {
        ResourceValidator.Result r = parse(service, labels, workload);
        if (!r.valid()) {
            throw new ValidationException(RelocatableVolume.KIND, "service " + service, r.errors());
        }
        return r.resource().orElseThrow();
    }

    private static String toLabelPath(String field) {
        for (Map.Entry<String, String> e : FIELDS.entrySet()) {
            String f = e.getValue();
            if (field.equals(f) || field.startsWith(f + ".") || field.startsWith(f + "[")) {
                return labelPath(e.getKey());
            }
        }
        for (String prefix : List.of("spec.volume.options.", "spec.volume.options[")) {
            if (field.startsWith(prefix)) {
                String key = field.substring(prefix.length());
                key = key.endsWith("]") && prefix.endsWith("[") ? key.substring(0, key.length() - 1) : key;
                return labelPath(VOLUME_OPT + key);
            }
        }
        if (field.equals("spec.volume.options")) {
            return labelPath(VOLUME_OPT + "<key>");
        }
        if (field.equals("spec.volume")) {
            return labelPath(VOLUME);
        }
        return field; // e.g. spec.service: the service's own name
    }
}
