package dev.relocator.docker.events;

import java.util.Objects;

/** The coalescing key: at most one pending item per object. */
public record ObjectRef(ObjectKind kind, String id) {

    public static final ObjectRef RESYNC = new ObjectRef(ObjectKind.RESYNC, "*");

    public ObjectRef {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("object id must not be blank");
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase() + "/" + id;
    }
}
