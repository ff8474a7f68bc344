package dev.relocator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.crd.Resources;
import dev.relocator.crd.api.Status;
import dev.relocator.crd.api.StatusCause;
import dev.relocator.crd.api.StatusDetails;
import dev.relocator.crd.api.StatusReason;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.model.RelocatorConfig;
import dev.relocator.crd.validation.FieldError;
import dev.relocator.crd.validation.ResourceValidator;
import dev.relocator.crd.validation.ValidationOptions;
import dev.relocator.store.ListResult;
import dev.relocator.store.NodeDirectory;
import dev.relocator.store.ResourceKind;
import dev.relocator.store.ResourceStore;
import dev.relocator.store.StoreException;
import dev.relocator.store.VersionedResourceStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code /apis/relocator.dev/v1alpha1}: RelocatableVolumes and the RelocatorConfig with the
 * Kubernetes verbs, the read-only status subresource, an event history, and the two action
 * subresources ({@code relocate}, node {@code drain}) that record a request for the controller.
 * docs/api.md is the reference.
 */
@Path(ApiRoutes.PREFIX)
@Produces(MediaType.APPLICATION_JSON)
public class ResourcesApi {

    /** Where a relocate request is recorded: the target node's id. */
    public static final String RELOCATE_TO = "relocator.dev/relocate-to";
    /** When the relocate or drain request was made (RFC 3339). */
    public static final String REQUESTED_AT = "relocator.dev/relocate-requested-at";
    /** Where a drain request is recorded: the id of the node to move off. */
    public static final String DRAIN_FROM = "relocator.dev/drain-from";

    private final VersionedResourceStore store;
    private final NodeDirectory nodes;
    private final ApiConfig config;
    private final Clock clock = Clock.systemUTC();

    public ResourcesApi(VersionedResourceStore store, NodeDirectory nodes, ApiConfig config) {
        this.store = store;
        this.nodes = nodes;
        this.config = config;
    }

    // ---- collection --------------------------------------------------------------------------

    @GET
    @Path("{plural}")
    public Response list(@PathParam("plural") String plural) {
        ResourceKind kind = kind(plural);
        ListResult r = store.list(kind);
        ObjectNode list = JsonNodeFactory.instance.objectNode();
        list.put("apiVersion", RelocatableVolume.API_VERSION);
        list.put("kind", kind.listKind());
        list.putObject("metadata").put("resourceVersion", r.resourceVersion());
        list.putArray("items").addAll(r.items());
        return ok(200, list);
    }

    @POST
    @Path("{plural}")
    @Consumes(MediaType.WILDCARD)
    public Response create(@PathParam("plural") String plural, @HeaderParam("Content-Type") String contentType, byte[] body) {
        ResourceKind kind = kind(plural);
        JsonNode raw = Bodies.resource(body, contentType, config.maxBodyBytes());
        if (raw.path("metadata").hasNonNull("resourceVersion")) {
            throw new StoreException(Status.badRequest("metadata.resourceVersion must not be set on create: remove it "
                    + "(relocatorctl apply does), or update the existing object with PUT"));
        }
        rejectStatus(kind, raw, null);
        ObjectNode valid = validate(kind, raw);
        return ok(201, store.create(kind, valid));
    }

    // ---- one object ---------------------------------------------------------------------------

    @GET
    @Path("{plural}/{name}")
    public Response get(@PathParam("plural") String plural, @PathParam("name") String name) {
        ResourceKind kind = kind(plural);
        return ok(200, require(kind, name));
    }

    @PUT
    @Path("{plural}/{name}")
    @Consumes(MediaType.WILDCARD)
    public Response replace(@PathParam("plural") String plural, @PathParam("name") String name,
                            @HeaderParam("Content-Type") String contentType, byte[] body) {
        ResourceKind kind = kind(plural);
        JsonNode raw = Bodies.resource(body, contentType, config.maxBodyBytes());
        checkName(raw, name);
        ObjectNode current = require(kind, name);
        ResourceStore.refuseLabelDeclared(kind, current);
        rejectStatus(kind, raw, current);
        ObjectNode valid = validate(kind, raw);
        String rv = raw.path("metadata").path("resourceVersion").asText(null);
        return ok(200, store.update(kind, name, valid, rv));
    }

    @PATCH
    @Path("{plural}/{name}")
    @Consumes(MediaType.WILDCARD)
    public Response patch(@PathParam("plural") String plural, @PathParam("name") String name,
                          @HeaderParam("Content-Type") String contentType, byte[] body) {
        ResourceKind kind = kind(plural);
        JsonNode patch = Bodies.mergePatch(body, contentType, config.maxBodyBytes());
        if (patch.has("status")) {
            throw new StoreException(statusForbidden(kind, name));
        }
        String pinned = patch.path("metadata").path("resourceVersion").asText(null);
        if (patch.path("metadata").has("name") && !name.equals(patch.path("metadata").path("name").asText())) {
            checkName(patch, name);
        }
        // without a pinned resourceVersion a patch applies to whatever is current: retry a lost race
        for (int attempt = 1; ; attempt++) {
            ObjectNode current = require(kind, name);
            ResourceStore.refuseLabelDeclared(kind, current);
            ObjectNode base = current.deepCopy();
            base.remove("status");
            JsonNode merged = Bodies.merge(base, patch);
            ObjectNode valid = validate(kind, merged);
            try {
                return ok(200, store.update(kind, name, valid, pinned != null ? pinned : current.path("metadata").path("resourceVersion").asText()));
            } catch (StoreException e) {
                if (pinned != null || e.status().reason() != StatusReason.Conflict || attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    @DELETE
    @Path("{plural}/{name}")
    @Consumes(MediaType.WILDCARD)
    public Response delete(@PathParam("plural") String plural, @PathParam("name") String name,
                           @HeaderParam("Content-Type") String contentType, byte[] body) {
        ResourceKind kind = kind(plural);
        String rv = null;
        if (body != null && body.length > 0) {
            JsonNode options = Bodies.json(body, contentType, config.maxBodyBytes());
            rv = options.path("preconditions").path("resourceVersion").asText(null);
        }
        ResourceStore.DeleteResult r = store.delete(kind, name, rv);
        if (!r.removed()) {
            return ok(202, r.object()); // marked; goes when the relocation in flight ends
        }
        Status done = new Status("Status", "v1", Status.SUCCESS, kind.plural() + ".relocator.dev \"" + name + "\" deleted",
                null, new StatusDetails(name, RelocatableVolume.GROUP, kind.kind(), List.of()), 200);
        return Response.ok(Resources.toJson(done), MediaType.APPLICATION_JSON_TYPE).build();
    }

    // ---- subresources ------------------------------------------------------------------------

    @GET
    @Path("{plural}/{name}/status")
    public Response getStatus(@PathParam("plural") String plural, @PathParam("name") String name) {
        return ok(200, require(kind(plural), name));
    }

    @PUT
    @Path("{plural}/{name}/status")
    @Consumes(MediaType.WILDCARD)
    public Response putStatus(@PathParam("plural") String plural, @PathParam("name") String name) {
        throw new StoreException(statusWrite(kind(plural), name));
    }

    @PATCH
    @Path("{plural}/{name}/status")
    @Consumes(MediaType.WILDCARD)
    public Response patchStatus(@PathParam("plural") String plural, @PathParam("name") String name) {
        throw new StoreException(statusWrite(kind(plural), name));
    }

    /** Recent changes of one object, as Kubernetes-style events (conditions, phases, spec, requests). */
    @GET
    @Path("{plural}/{name}/events")
    public Response events(@PathParam("plural") String plural, @PathParam("name") String name) {
        ResourceKind kind = kind(plural);
        ObjectNode current = require(kind, name);
        return ok(200, EventHistory.of(current, store.history(kind, name), store.recentEvents(kind, name)));
    }

    @POST
    @Path("{plural}/{name}/relocate")
    @Consumes(MediaType.WILDCARD)
    public Response relocate(@PathParam("plural") String plural, @PathParam("name") String name,
                             @HeaderParam("Content-Type") String contentType, byte[] body) {
        ResourceKind kind = kind(plural);
        if (kind != ResourceKind.RELOCATABLE_VOLUME) {
            throw new StoreException(Status.failure(StatusReason.NotFound, "relocate is a subresource of relocatablevolumes only", null));
        }
        JsonNode req = Bodies.json(body, contentType, config.maxBodyBytes());
        List<FieldError> errors = new ArrayList<>();
        if (!req.isObject()) {
            errors.add(new FieldError("", FieldError.Type.TYPE_INVALID, "must be an object", "send {\"to\": \"<node>\"}"));
        } else {
            req.fieldNames().forEachRemaining(f -> {
                if (!f.equals("to")) {
                    errors.add(new FieldError(f, FieldError.Type.NOT_SUPPORTED, "unknown field", "send only {\"to\": \"<node>\"}"));
                }
            });
        }
        JsonNode to = req.path("to");
        ObjectNode current = require(kind, name);
        NodeDirectory.Node target = null;
        if (to.isMissingNode() || to.isNull()) {
            errors.add(new FieldError("to", FieldError.Type.REQUIRED, "is required", "name the target node: {\"to\": \"<hostname or node id>\"}"));
        } else if (!to.isTextual() || to.asText().isBlank()) {
            errors.add(new FieldError("to", FieldError.Type.TYPE_INVALID, "must be a non-empty string, got " + to,
                    "name the target node by hostname or node id"));
        } else {
            List<NodeDirectory.Node> all = nodes.nodes();
            target = all.stream().filter(n -> n.id().equals(to.asText()) || n.hostname().equals(to.asText())).findFirst().orElse(null);
            if (target == null) {
                errors.add(new FieldError("to", FieldError.Type.NOT_SUPPORTED, "node \"" + to.asText() + "\" is not in this swarm",
                        "pick one of: " + all.stream().map(NodeDirectory.Node::hostname).sorted().collect(Collectors.joining(", "))
                                + " (docker node ls)"));
            } else if (!target.ready()) {
                errors.add(new FieldError("to", FieldError.Type.INVALID, "node \"" + to.asText() + "\" is " + target.state(),
                        "pick a node whose status is ready (docker node ls)"));
            } else if (!target.active()) {
                errors.add(new FieldError("to", FieldError.Type.INVALID, "node \"" + to.asText() + "\" has availability " + target.availability(),
                        "pick an active node, or docker node update --availability active " + target.hostname()));
            } else {
                String attached = current.path("status").path("node").asText("");
                if (!attached.isEmpty() && (attached.equals(target.id()) || attached.equals(target.hostname()))) {
                    errors.add(new FieldError("to", FieldError.Type.INVALID, "the volume is already attached to " + to.asText(),
                            "name another node, or nothing needs doing"));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new StoreException(invalidRequest(kind, name, "relocate", errors));
        }
        ObjectNode next = current.deepCopy();
        next.remove("status");
        ObjectNode ann = next.withObject("metadata").withObject("annotations");
        ann.put(RELOCATE_TO, target.id());
        ann.put(REQUESTED_AT, Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
        return ok(202, store.update(kind, name, next, current.path("metadata").path("resourceVersion").asText()));
    }

    @POST
    @Path("nodes/{node}/drain")
    @Consumes(MediaType.WILDCARD)
    public Response drain(@PathParam("node") String node) {
        NodeDirectory.Node n = nodes.find(node).orElseThrow(() -> new StoreException(Status.failure(StatusReason.NotFound,
                "node \"" + node + "\" is not in this swarm: name a node by hostname or id (docker node ls)",
                new StatusDetails(node, "", "Node", List.of()))));
        List<StatusCause> causes = new ArrayList<>();
        String at = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        for (ObjectNode rv : store.list(ResourceKind.RELOCATABLE_VOLUME).items()) {
            String attached = rv.path("status").path("node").asText("");
            if (!attached.equals(n.id()) && !attached.equals(n.hostname())) {
                continue;
            }
            String name = rv.path("metadata").path("name").asText();
            if (rv.path("metadata").path("annotations").has(ResourceStore.SOURCE_ANNOTATION)) {
                causes.add(new StatusCause("Skipped", "declared by service labels: the controller moves it through the service", name));
                continue;
            }
            ObjectNode next = rv.deepCopy();
            next.remove("status");
            ObjectNode ann = next.withObject("metadata").withObject("annotations");
            ann.put(DRAIN_FROM, n.id());
            ann.put(REQUESTED_AT, at);
            try {
                store.update(ResourceKind.RELOCATABLE_VOLUME, name, next, rv.path("metadata").path("resourceVersion").asText());
                causes.add(new StatusCause("RelocationRequested", "asked to move off " + n.hostname(), name));
            } catch (StoreException e) {
                causes.add(new StatusCause(String.valueOf(e.status().reason()), e.getMessage(), name));
            }
        }
        long requested = causes.stream().filter(c -> c.reason().equals("RelocationRequested")).count();
        Status s = new Status("Status", "v1", Status.SUCCESS, "drain of node " + n.hostname() + " (" + n.id() + ") recorded: "
                + requested + " relocatable volume(s) asked to move off it", null,
                new StatusDetails(n.hostname(), "", "Node", causes), 202);
        return Response.status(202).type(MediaType.APPLICATION_JSON_TYPE).entity(Resources.toJson(s)).build();
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static ResourceKind kind(String plural) {
        return ResourceKind.byPlural(plural).orElseThrow(() -> new StoreException(Status.failure(StatusReason.NotFound,
                "the server could not find the requested resource \"" + plural + "\": this API serves "
                        + ResourceKind.RELOCATABLE_VOLUME.plural() + " and " + ResourceKind.RELOCATOR_CONFIG.plural(), null)));
    }

    private ObjectNode require(ResourceKind kind, String name) {
        return store.get(kind, name).orElseThrow(() -> new StoreException(Status.notFound(kind.kind(), name)));
    }

    private ObjectNode validate(ResourceKind kind, JsonNode raw) {
        ValidationOptions options = ValidationOptions.defaults();
        if (kind == ResourceKind.RELOCATABLE_VOLUME) {
            Optional<ObjectNode> cfg = store.get(ResourceKind.RELOCATOR_CONFIG, RelocatorConfig.NAME);
            List<String> drivers = new ArrayList<>();
            cfg.ifPresent(c -> c.path("spec").path("volumeDrivers").forEach(d -> drivers.add(d.asText())));
            options = options.withDrivers(drivers);
        }
        ResourceValidator.Result r = kind.validator(options).validate(raw);
        if (!r.valid()) {
            throw new StoreException(Status.invalid(kind.kind(), raw.path("metadata").path("name").asText(null), r.errors()));
        }
        ObjectNode valid = r.defaulted();
        valid.remove("status");
        return valid;
    }

    private static void checkName(JsonNode raw, String name) {
        JsonNode n = raw.path("metadata").path("name");
        if (n.isTextual() && !n.asText().equals(name)) {
            throw new StoreException(Status.badRequest("the name of the object (" + n.asText() + ") does not match the name on the URL ("
                    + name + "): send the object to its own URL, or rename it by creating a new object and deleting this one"));
        }
    }

    /** Status belongs to the controller: a body that tries to change it is refused, an unchanged copy is fine. */
    private static void rejectStatus(ResourceKind kind, JsonNode raw, ObjectNode current) {
        JsonNode s = raw.get("status");
        if (s == null || s.isNull() || (s.isObject() && s.isEmpty())) {
            return;
        }
        if (current != null && s.equals(current.path("status"))) {
            return;
        }
        throw new StoreException(statusForbidden(kind, raw.path("metadata").path("name").asText(null)));
    }

    private static Status statusForbidden(ResourceKind kind, String name) {
        return Status.invalid(kind.kind(), name, List.of(new FieldError("status", FieldError.Type.FORBIDDEN,
                "is written by the controller only (the status subresource)", "remove status from the request body")));
    }

    private static Status statusWrite(ResourceKind kind, String name) {
        return Status.failure(StatusReason.MethodNotAllowed, "the status of " + kind.plural() + ".relocator.dev \"" + name
                + "\" is written by the controller only: change spec with PUT or PATCH on the object, or ask for a move with "
                + "POST .../" + name + "/relocate", new StatusDetails(name, RelocatableVolume.GROUP, kind.kind(), List.of()));
    }

    private static Status invalidRequest(ResourceKind kind, String name, String what, List<FieldError> errors) {
        String message = what + " request for " + kind.plural() + ".relocator.dev \"" + name + "\" is invalid: "
                + errors.stream().map(FieldError::toString).collect(Collectors.joining(", "));
        return Status.failure(StatusReason.Invalid, message, new StatusDetails(name, RelocatableVolume.GROUP, kind.kind(),
                errors.stream().map(StatusCause::of).toList()));
    }

    private static Response ok(int code, JsonNode body) {
        return Response.status(code).type(MediaType.APPLICATION_JSON_TYPE).entity(Resources.toJson(body)).build();
    }
}
