package dev.relocator.crd.api;

import java.util.Optional;

/**
 * {@code metadata.resourceVersion}: opaque to clients, here the decimal form of the Swarm
 * object version that stores the resource (Swarm's Raft index). Optimistic concurrency is
 * "the version you read must still be the current one", exactly Swarm's own update rule.
 */
public final class ResourceVersion {

    private ResourceVersion() {
    }

    public static String of(long swarmVersion) {
        if (swarmVersion < 0) {
            throw new IllegalArgumentException("a Swarm version is never negative: " + swarmVersion);
        }
        return Long.toString(swarmVersion);
    }

    /** The Swarm version behind {@code rv}, or empty if {@code rv} is not one this API handed out. */
    public static Optional<Long> parse(String rv) {
        if (rv == null || rv.isEmpty() || rv.length() > 19 || !rv.chars().allMatch(Character::isDigit)
                || (rv.length() > 1 && rv.charAt(0) == '0')) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(rv));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Checks an update's precondition against the stored version. An absent {@code requested}
     * version is an unconditional update; an API that insists on one checks for it first.
     * Returns the failure to answer with, if any: 400 for a version this API never handed
     * out, 409 Conflict for a stale one.
     */
    public static Optional<Status> checkPrecondition(String kind, String name, String requested, long current) {
        if (requested == null || requested.isEmpty()) {
            return Optional.empty();
        }
        Optional<Long> v = parse(requested);
        if (v.isEmpty()) {
            return Optional.of(Status.badRequest("metadata.resourceVersion \"" + requested
                    + "\" is not a version handed out by this API: read the object again and use its resourceVersion"));
        }
        return v.get() == current ? Optional.empty() : Optional.of(Status.conflict(kind, name));
    }
}
