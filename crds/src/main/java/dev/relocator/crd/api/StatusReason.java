package dev.relocator.crd.api;

/** Kubernetes {@code metav1.StatusReason} values the API uses, each with its HTTP code. */
public enum StatusReason {
    BadRequest(400),
    Unauthorized(401),
    Forbidden(403),
    NotFound(404),
    MethodNotAllowed(405),
    NotAcceptable(406),
    AlreadyExists(409),
    Conflict(409),
    RequestEntityTooLarge(413),
    UnsupportedMediaType(415),
    Invalid(422),
    TooManyRequests(429),
    InternalError(500),
    ServiceUnavailable(503);

    private final int code;

    StatusReason(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
