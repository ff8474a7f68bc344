package dev.relocator.store;

import dev.relocator.crd.api.Status;

/** A store operation was refused; {@link #status()} is the Kubernetes answer the API sends as is. */
public class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Status status;

    public StoreException(Status status) {
        super(status.message());
        this.status = status;
    }

    public StoreException(Status status, Throwable cause) {
        super(status.message(), cause);
        this.status = status;
    }

    public Status status() {
        return status;
    }
}
