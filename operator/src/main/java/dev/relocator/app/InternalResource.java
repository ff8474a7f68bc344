package dev.relocator.app;

import dev.relocator.core.protocol.Heartbeat;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Instance-to-instance endpoints on the overlay network: heartbeats to the controller,
 * commands and peer queries to the agent, and who-am-I for discovery. The overlay network is
 * the trust boundary (see the report); every body is validated before it reaches the core.
 */
@Path("/internal/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class InternalResource {

    @Inject
    SwarmRoleMonitor roles;
    @Inject
    ControllerRuntime controller;
    @Inject
    AgentRuntime agent;
    @Inject
    RelocatorConfig config;
    @Inject
    Directory directory;

    @GET
    @Path("identity")
    public Messages.Identity identity(@HeaderParam(Directory.NODE_HEADER) String prober,
                                      @HeaderParam(Directory.MANAGER_HEADER) String proberIsManager,
                                      @Context HttpServerRequest request) {
        if (prober != null && request != null && request.remoteAddress() != null) {
            directory.learnProber(prober, proberIsManager, request.remoteAddress().hostAddress());
        }
        var role = roles.role();
        return new Messages.Identity(role.nodeId(), role.manager(), role.leader(), controller.acting());
    }

    /** 200 with the ack when this controller acts; 204 when it does not (agents ask every manager). */
    @POST
    @Path("heartbeats")
    public CompletionStage<Response> heartbeat(Heartbeat heartbeat, @Context HttpServerRequest request) {
        if (heartbeat == null || heartbeat.node() == null || heartbeat.node().isBlank()) {
            throw new IllegalArgumentException("a heartbeat needs the sender's node id in 'node'");
        }
        String remote = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        return controller.onHeartbeat(heartbeat, remote)
                .orTimeout(config.api().requestTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .thenApply(ack -> ack.map(a -> Response.ok(a).build()).orElseGet(() -> Response.noContent().build()));
    }

    @POST
    @Path("agent/commands")
    public Response command(Messages.Command command) {
        if (command == null) {
            throw new IllegalArgumentException("empty command body");
        }
        agent.onCommand(command.command());
        return Response.accepted().build();
    }

    @POST
    @Path("agent/peer")
    public Response peer(Messages.Peer peer) {
        if (peer == null) {
            throw new IllegalArgumentException("empty peer message body");
        }
        agent.onPeerMessage(peer.message());
        return Response.accepted().build();
    }

    @ServerExceptionMapper
    public Response badInput(IllegalArgumentException e) {
        return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", String.valueOf(e.getMessage()))).build();
    }
}
