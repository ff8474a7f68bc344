package dev.relocator.chaos.lab;

/** The lab could not do what was asked; the message says what and, where known, how to fix it. */
public class LabException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
