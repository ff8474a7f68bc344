package dev.relocator.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.crd.Resources;
import dev.relocator.crd.api.Status;
import dev.relocator.crd.api.StatusReason;
import dev.relocator.store.ResourceKind;
import dev.relocator.store.StoreException;
import dev.relocator.store.VersionedResourceStore;
import dev.relocator.store.WatchEvent;
import io.vertx.core.Context;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What runs before Quarkus REST sees a request under {@code /apis}: the size limit (from
 * Content-Length, before any body is read), the bearer token for mutations, and the watch
 * stream (server-sent events), which needs the raw response.
 */
@ApplicationScoped
public class ApiRoutes {

    private static final Logger LOG = Logger.getLogger(ApiRoutes.class);
    static final String PREFIX = "/apis/" + dev.relocator.crd.model.RelocatableVolume.API_VERSION;
    private static final Set<HttpMethod> MUTATIONS = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);

    private final ApiConfig config;
    private final TokenCheck tokens;
    private final VersionedResourceStore store;

    public ApiRoutes(ApiConfig config, TokenCheck tokens, VersionedResourceStore store) {
        this.config = config;
        this.tokens = tokens;
        this.store = store;
    }

    void install(@Observes Router router) {
        router.route("/apis*").order(-200).handler(this::guard);
        router.get(PREFIX + "/:plural").order(-190).handler(this::maybeWatch);
    }

    private void guard(RoutingContext ctx) {
        String length = ctx.request().getHeader("Content-Length");
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n > config.maxBodyBytes()) {
                fail(ctx, tooLarge(n, config.maxBodyBytes()));
                return;
            }
        }
        if (MUTATIONS.contains(ctx.request().method())) {
            Optional<Status> denied = tokens.check(ctx.request().getHeader("Authorization"));
            if (denied.isPresent()) {
                fail(ctx, denied.get());
                return;
            }
        }
        ctx.next();
    }

    static Status tooLarge(long size, int limit) {
        return Status.failure(StatusReason.RequestEntityTooLarge, "the request body is " + size + " bytes, the limit is "
                + limit + ": a resource is at most 256 KiB as JSON; keep large data out of annotations and driver options", null);
    }

    private void maybeWatch(RoutingContext ctx) {
        String watch = ctx.request().getParam("watch");
        if (watch == null || !(watch.equals("true") || watch.equals("1"))) {
            ctx.next();
            return;
        }
        Optional<ResourceKind> kind = ResourceKind.byPlural(ctx.pathParam("plural"));
        if (kind.isEmpty()) {
            ctx.next(); // the resource answers the 404 for an unknown plural
            return;
        }
        String from = ctx.request().getParam("resourceVersion");
        String lastEventId = ctx.request().getHeader("Last-Event-ID");
        if ((from == null || from.isEmpty()) && lastEventId != null && !lastEventId.isBlank()) {
            from = lastEventId.strip(); // an EventSource reconnecting resumes where it stopped
        }
        String resume = from == null || from.isEmpty() || from.equals("0") ? null : from;
        HttpServerResponse response = ctx.response();
        Context context = ctx.vertx().getOrCreateContext();
        AtomicBoolean open = new AtomicBoolean(true);
        if (resume != null && dev.relocator.crd.api.ResourceVersion.parse(resume).isEmpty()) {
            fail(ctx, Status.badRequest("resourceVersion \"" + resume + "\" is not a version handed out by this API: "
                    + "list the resources and watch from the list's metadata.resourceVersion"));
            return;
        }
        response.setChunked(true);
        response.putHeader("Content-Type", "text/event-stream; charset=utf-8");
        response.putHeader("Cache-Control", "no-cache");
        response.putHeader("X-Accel-Buffering", "no");
        response.write(": watching " + kind.get().plural() + "\n\n");
        ctx.vertx().<AutoCloseable>executeBlocking(() -> {
            // store calls read Swarm: not on the event loop. Events always go through the context, in order.
            return store.watch(kind.get(), resume, ev -> {
                if (!open.get()) {
                    throw new IllegalStateException("watch closed");
                }
                String frame = frame(ev);
                context.runOnContext(v -> {
                    if (open.get()) {
                        response.write(frame);
                    }
                });
            });
        }, false).onComplete(ar -> {
            if (ar.failed()) {
                Status s = ar.cause() instanceof StoreException se ? se.status()
                        : Status.failure(StatusReason.InternalError, "watch failed: " + ar.cause().getMessage(), null);
                if (!response.headWritten()) {
                    fail(ctx, s);
                } else {
                    response.end(errorFrame(s));
                }
                return;
            }
            AutoCloseable handle = ar.result();
            long keepalive = ctx.vertx().setPeriodic(Math.max(1000, config.watchKeepalive().toMillis()),
                    t -> response.write(": keepalive\n\n"));
            Runnable close = () -> {
                if (open.compareAndSet(true, false)) {
                    ctx.vertx().cancelTimer(keepalive);
                    try {
                        handle.close();
                    } catch (Exception e) {
                        LOG.debug("closing a watch", e);
                    }
                }
            };
            response.closeHandler(v -> close.run());
            response.exceptionHandler(e -> close.run());
            if (response.closed()) {
                close.run();
            }
        });
    }

    /** One SSE frame: the event type, the Kubernetes watch event as data, the resourceVersion as id. */
    static String frame(WatchEvent ev) {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("type", ev.type().name());
        e.set("object", ev.object());
        return "event: " + ev.type().name() + "\nid: " + ev.resourceVersion() + "\ndata: " + Resources.toJson(e) + "\n\n";
    }

    private static String errorFrame(Status s) {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("type", "ERROR");
        e.set("object", Resources.toTree(s));
        return "event: ERROR\ndata: " + Resources.toJson(e) + "\n\n";
    }

    private static void fail(RoutingContext ctx, Status s) {
        ctx.response().setStatusCode(s.code()).putHeader("Content-Type", "application/json").end(ApiErrors.json(s));
    }
}
