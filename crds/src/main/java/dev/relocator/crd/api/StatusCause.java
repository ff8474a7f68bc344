package dev.relocator.crd.api;

import dev.relocator.crd.validation.FieldError;

/** One entry of {@code Status.details.causes}: {@code reason} is the cause type, e.g. FieldValueInvalid. */
public record StatusCause(String reason, String message, String field) {

    public static StatusCause of(FieldError e) {
        return new StatusCause(e.type().causeType(), e.message(), e.field());
    }
}
