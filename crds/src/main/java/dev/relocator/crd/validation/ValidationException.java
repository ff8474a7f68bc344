package dev.relocator.crd.validation;

import dev.relocator.crd.api.Status;

import java.util.List;
import java.util.stream.Collectors;

/** A resource was rejected; carries every error found, not only the first. */
public class ValidationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String kind;
    private final String name;
    private final transient List<FieldError> errors;

    public ValidationException(String kind, String name, List<FieldError> errors) {
        super(summary(kind, name, errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a validation failure needs at least one error");
        }
        this.kind = kind;
        this.name = name;
        this.errors = List.copyOf(errors);
    }

    private static String summary(String kind, String name, List<FieldError> errors) {
        return kind + " \"" + (name == null ? "" : name) + "\" is invalid: "
                + errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** The Kubernetes answer to this failure: 422 Invalid with one cause per error. */
    public Status toStatus() {
        return Status.invalid(kind, name, errors);
    }
}
