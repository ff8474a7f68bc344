package dev.relocator.crd.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.validation.FieldError;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The Kubernetes {@code Status} object an API call answers with when it fails (kind Status,
 * apiVersion v1, status Failure). Not to be confused with the resource's own
 * {@link dev.relocator.crd.model.Status}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Status(String kind, String apiVersion, String status, String message, StatusReason reason,
                     StatusDetails details, int code) {

    public static final String FAILURE = "Failure";
    public static final String SUCCESS = "Success";

    public static Status failure(StatusReason reason, String message, StatusDetails details) {
        return new Status("Status", "v1", FAILURE, message, reason, details, reason.code());
    }

    /** 422: the object is invalid; one cause per field error, message in kubectl's shape. */
    public static Status invalid(String kind, String name, List<FieldError> errors) {
        String message = kind + ".relocator.dev \"" + (name == null ? "" : name) + "\" is invalid: "
                + errors.stream().map(FieldError::toString).collect(Collectors.joining(", "));
        return failure(StatusReason.Invalid, message, new StatusDetails(name, RelocatableVolume.GROUP, kind,
                errors.stream().map(StatusCause::of).collect(Collectors.toList())));
    }

    public static Status notFound(String kind, String name) {
        return failure(StatusReason.NotFound, resource(kind) + " \"" + name + "\" not found",
                new StatusDetails(name, RelocatableVolume.GROUP, kind, List.of()));
    }

    public static Status alreadyExists(String kind, String name) {
        return failure(StatusReason.AlreadyExists, resource(kind) + " \"" + name + "\" already exists",
                new StatusDetails(name, RelocatableVolume.GROUP, kind, List.of()));
    }

    /** 409 on a stale resourceVersion: the wording kubectl users know. */
    public static Status conflict(String kind, String name) {
        return failure(StatusReason.Conflict, "Operation cannot be fulfilled on " + resource(kind) + " \"" + name
                        + "\": the object has been modified; please apply your changes to the latest version and try again",
                new StatusDetails(name, RelocatableVolume.GROUP, kind, List.of()));
    }

    public static Status unauthorized() {
        return failure(StatusReason.Unauthorized, "Unauthorized", null);
    }

    public static Status badRequest(String message) {
        return failure(StatusReason.BadRequest, message, null);
    }

    private static String resource(String kind) {
        return kind.toLowerCase() + "s." + RelocatableVolume.GROUP;
    }
}
