package dev.relocator.crd.load;

import dev.relocator.crd.validation.FieldError;

/** The input is not a readable document; carries one error for the whole input. */
public class ParseException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient FieldError error;

    public ParseException(FieldError error) {
        super(error.toString());
        this.error = error;
    }

    public FieldError error() {
        return error;
    }
}
