package dev.relocator.docker.node;

/** A local node operation could not be done; the message says why and what to do. */
public class NodeOperationException extends RuntimeException {

    public NodeOperationException(String message) {
        super(message);
    }

    public NodeOperationException(String message, Throwable cause) {
        super(message, cause);
    }
}
