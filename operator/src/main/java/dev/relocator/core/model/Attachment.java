package dev.relocator.core.model;

import java.util.Objects;

/**
 * The fact "volume {@code volume} is mounted for writing on node {@code node}", carrying the
 * epoch that made it so. Epochs of one volume are unique and grow by one per attachment.
 */
public record Attachment(String volume, String node, long epoch) {
    public Attachment {
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(node, "node");
        if (epoch < 1) {
            throw new IllegalArgumentException("an attachment epoch starts at 1, got " + epoch);
        }
    }
}
