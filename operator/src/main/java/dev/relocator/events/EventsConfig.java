package dev.relocator.events;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the state-change stream (see docs/events/README.md). */
@ConfigMapping(prefix = "relocator.events")
public interface EventsConfig {

    /** Topic of every state change, in order per key. Must match the channel's {@code topic}. */
    @WithDefault("relocator.events")
    String topic();

    /** Compacted topic with the latest state per volume. Must match the channel's {@code topic}. */
    @WithDefault("relocator.volume-state")
    String stateTopic();

    /** This operator instance, used in the CloudEvents {@code source}; defaults to the host name. */
    Optional<String> instance();

    /**
     * Most transitions held while Kafka is slow or down; past it a volume's buffered
     * transitions are replaced by one resync snapshot.
     */
    @WithDefault("10000")
    int bufferSize();

    /** Most sends awaiting a broker ack at once (at most one per key). */
    @WithDefault("64")
    int maxInFlight();

    /** First wait before a failed send of a key is tried again; doubles up to {@link #retryBackoffMax()}. */
    @WithDefault("500ms")
    Duration retryBackoff();

    @WithDefault("10s")
    Duration retryBackoffMax();

    /** Topic creation and checks at start-up. */
    Topics topics();

    interface Topics {

        /**
         * Check (and create) the topics before the first send. Set false only where topics are
         * managed elsewhere and the operator may not describe them; then sending starts at once.
         */
        @WithDefault("true")
        boolean check();

        /** Create missing topics with the settings below; when false, only check they exist. */
        @WithDefault("true")
        boolean create();

        @WithDefault("3")
        int partitions();

        @WithDefault("1")
        short replicationFactor();

        /** Retention of the history topic; the state topic is compacted and keeps the latest record per key. */
        @WithDefault("7d")
        Duration retention();

        /** Timeout of one admin call; topic set-up retries until it succeeds. */
        @WithDefault("10s")
        Duration adminTimeout();
    }
}
