package dev.relocator.crd.schema;

/** The CRD's own schema is malformed or uses something the validator does not implement. */
public class InvalidSchemaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidSchemaException(String message) {
        super(message);
    }
}
