package dev.relocator.api;

import dev.relocator.crd.api.StatusReason;
import dev.relocator.store.StoreException;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Anything under {@code /apis} that no resource serves: a 404 Status instead of an HTML page. */
@Path("/apis")
@Produces(MediaType.APPLICATION_JSON)
public class UnknownPaths {

    @GET
    @Path("{path: .*}")
    public Object get(@PathParam("path") String path) {
        throw notFound(path);
    }

    @POST
    @Path("{path: .*}")
    public Object post(@PathParam("path") String path) {
        throw notFound(path);
    }

    @PUT
    @Path("{path: .*}")
    public Object put(@PathParam("path") String path) {
        throw notFound(path);
    }

    @PATCH
    @Path("{path: .*}")
    public Object patch(@PathParam("path") String path) {
        throw notFound(path);
    }

    @DELETE
    @Path("{path: .*}")
    public Object delete(@PathParam("path") String path) {
        throw notFound(path);
    }

    private static StoreException notFound(String path) {
        return new StoreException(ApiErrors.of(StatusReason.NotFound, "the server could not find the requested resource /apis/" + path
                + ": the API lives under " + ApiRoutes.PREFIX + "/{relocatablevolumes|relocatorconfigs}[/NAME[/status|/events|/relocate]]"
                + " and " + ApiRoutes.PREFIX + "/nodes/NODE/drain"));
    }
}
