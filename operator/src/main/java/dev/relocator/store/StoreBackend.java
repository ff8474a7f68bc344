package dev.relocator.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Optional;

/**
 * Persistence under {@link VersionedResourceStore}: an append-only chain of immutable records per
 * object, with compare-and-swap on the chain's head. The semantics (generation, conditions,
 * deletion) live above this interface so that the in-memory and the Swarm implementation cannot
 * drift apart.
 */
public interface StoreBackend extends AutoCloseable {

    /**
     * One immutable write. {@code version} is the resourceVersion (global order across objects);
     * {@code sequence} numbers the writes of one object (1, 2, ...) and makes the CAS; a tombstone
     * records a deletion so that watches can replay it.
     */
    record Record(ResourceKind kind, String name, long sequence, long version, long generation, boolean tombstone,
                  ObjectNode object) {
    }

    /** The head of every object chain of {@code kind}, tombstones included. */
    List<Record> heads(ResourceKind kind);

    Optional<Record> head(ResourceKind kind, String name);

    /**
     * Appends after {@code previous} (null: the chain is new). Fails with
     * {@link ConcurrentWriteException} when {@code previous} is no longer the head.
     */
    Record append(ResourceKind kind, String name, Record previous, long generation, boolean tombstone, ObjectNode object);

    /** Every record kept for one object, oldest first (the bounded history). */
    List<Record> history(ResourceKind kind, String name);

    @Override
    void close();

    /** Someone else wrote the same object in between. */
    final class ConcurrentWriteException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ConcurrentWriteException(String message) {
            super(message);
        }
    }
}
