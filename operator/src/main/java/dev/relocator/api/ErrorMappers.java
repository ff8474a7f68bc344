package dev.relocator.api;

import dev.relocator.crd.api.Status;
import dev.relocator.crd.api.StatusReason;
import dev.relocator.crd.validation.ValidationException;
import dev.relocator.store.StoreException;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every failure, including the framework's own (unknown path, wrong method), answers with a Status. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response store(StoreException e) {
        return ApiErrors.response(e.status());
    }

    @ServerExceptionMapper
    public Response invalid(ValidationException e) {
        return ApiErrors.response(e.toStatus());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return ApiErrors.response(ApiErrors.of(StatusReason.NotFound, "the server could not find the requested resource: "
                + "see docs/api.md for the paths under " + ApiRoutes.PREFIX));
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        String allowed = String.join(", ", e.getResponse().getAllowedMethods());
        Response r = ApiErrors.response(ApiErrors.of(StatusReason.MethodNotAllowed, "this method is not allowed on this path"
                + (allowed.isEmpty() ? "" : ": use one of " + allowed)));
        return Response.fromResponse(r).allow(e.getResponse().getAllowedMethods()).build();
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e) {
        return ApiErrors.response(ApiErrors.of(StatusReason.UnsupportedMediaType,
                "this Content-Type is not supported here: send application/json or application/yaml"));
    }

    @ServerExceptionMapper
    public Response notAcceptable(NotAcceptableException e) {
        return ApiErrors.response(ApiErrors.of(StatusReason.NotAcceptable,
                "this API answers in application/json only: accept it (relocatorctl -o yaml converts on the client)"));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int code = e.getResponse().getStatus();
        StatusReason reason = code == 413 ? StatusReason.RequestEntityTooLarge : code >= 500 ? StatusReason.InternalError : StatusReason.BadRequest;
        return ApiErrors.response(new Status("Status", "v1", Status.FAILURE, e.getMessage(), reason, null, code));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected API failure", e);
        return ApiErrors.response(ApiErrors.of(StatusReason.InternalError, "internal error: " + e
                + "; the operator log has the stack trace"));
    }
}
