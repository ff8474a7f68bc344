package dev.relocator.events;

/** Names of the outgoing Reactive Messaging channels (configured in application.properties). */
public final class Channels {

    /** Every state change as a CloudEvent, key = volume (node for node events). */
    public static final String EVENTS = "relocator-events";

    /** The latest state per volume, compacted topic, key = volume. */
    public static final String VOLUME_STATE = "relocator-volume-state";

    private Channels() {
    }
}
