package dev.relocator.testkit.kafka;

/** The test broker could not be started, stopped or used; the message names the cause. */
public class KafkaBrokerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public KafkaBrokerException(String message) {
        super(message);
    }

    public KafkaBrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
