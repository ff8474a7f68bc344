package dev.relocator.api;

import dev.relocator.crd.Resources;
import dev.relocator.crd.api.Status;
import dev.relocator.crd.api.StatusReason;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Every failure leaves the API as a Kubernetes {@code Status} with the matching HTTP code. */
final class ApiErrors {

    private ApiErrors() {
    }

    static Response response(Status s) {
        return Response.status(s.code()).type(MediaType.APPLICATION_JSON_TYPE).entity(Resources.toJson(s)).build();
    }

    static Status of(StatusReason reason, String message) {
        return Status.failure(reason, message, null);
    }

    static String json(Status s) {
        return Resources.toJson(s);
    }
}
