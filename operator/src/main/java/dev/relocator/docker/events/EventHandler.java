package dev.relocator.docker.events;

/**
 * Consumes what the event source produces, on its single dispatcher thread: per-object
 * hints and full resyncs are therefore never concurrent with each other.
 */
public interface EventHandler {

    /** {@code latest} is the newest event for {@code ref} since the last call; re-read the object. */
    void onChange(ObjectRef ref, DockerEvent latest) throws Exception;

    /** Re-read everything. Throwing means "not synced": it is retried on the next tick. */
    void onResync() throws Exception;
}
