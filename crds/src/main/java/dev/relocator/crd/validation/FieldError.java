package dev.relocator.crd.validation;

import java.util.Objects;

/**
 * One thing wrong with a resource: where, what, and how to fix it. Shaped to become one
 * entry of a Kubernetes {@code Status.details.causes} list without losing anything.
 *
 * @param field   JSON path in Kubernetes notation ({@code spec.fencing.leaseSeconds},
 *                {@code spec.placement.constraints[1]}, {@code metadata.annotations[relocator.dev/x]});
 *                empty for problems of the whole document (syntax, size)
 * @param type    the Kubernetes cause type
 * @param problem what is wrong, e.g. "must be ≥ 2 × spec.fencing.heartbeatSeconds (2)"
 * @param fix     what to do about it, e.g. "set leaseSeconds to at least 2"
 */
public record FieldError(String field, Type type, String problem, String fix) {

    public FieldError {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(fix, "fix");
    }

    /** The message of a Kubernetes status cause: the problem, then the fix. */
    public String message() {
        return problem + ": " + fix;
    }

    /** The same error, reported under another path (used to point at a stack label). */
    public FieldError at(String newField) {
        return new FieldError(newField, type, problem, fix);
    }

    @Override
    public String toString() {
        return (field.isEmpty() ? "<document>" : field) + ": " + message();
    }

    /** Kubernetes {@code metav1.CauseType} values. */
    public enum Type {
        REQUIRED("FieldValueRequired"),
        INVALID("FieldValueInvalid"),
        TYPE_INVALID("FieldValueTypeInvalid"),
        NOT_SUPPORTED("FieldValueNotSupported"),
        FORBIDDEN("FieldValueForbidden"),
        DUPLICATE("FieldValueDuplicate"),
        TOO_LONG("FieldValueTooLong"),
        TOO_MANY("FieldValueTooMany");

        private final String causeType;

        Type(String causeType) {
            this.causeType = causeType;
        }

        public String causeType() {
            return causeType;
        }
    }
}
