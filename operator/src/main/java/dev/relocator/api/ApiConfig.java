package dev.relocator.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The REST API and the resource store behind it. */
@ConfigMapping(prefix = "relocator.rest")
public interface ApiConfig {

    /** Bearer token for mutations: the Swarm secret {@code relocator_api_token}. Re-read when it changes. */
    @WithDefault("/run/secrets/relocator_api_token")
    String tokenFile();

    /** Larger request bodies get 413. */
    @WithDefault("1048576")
    int maxBodyBytes();

    /** SSE comment sent on an idle watch so that proxies keep it open. */
    @WithDefault("15s")
    Duration watchKeepalive();

    Store store();

    interface Store {
        /** Engine holding the Swarm configs; empty: {@code relocator.docker.host}, then {@code DOCKER_HOST}, then the default socket. */
        Optional<String> dockerHost();

        /** Separates stores sharing one swarm (tests); 1-16 of a-z0-9. */
        @WithDefault("default")
        String scope();

        /** Generations kept per object (one config each). */
        @WithDefault("3")
        int history();

        /**
         * How often watches re-read Swarm for changes made elsewhere (other instances, {@code docker service
         * update}) when no Docker event stream reports them: only when the store is on another engine than
         * the operator's ({@link #dockerHost()} set to a different one).
         */
        @WithDefault("1s")
        Duration pollInterval();

        /**
         * With the operator's Docker event stream reporting config and service changes (the store on the
         * operator's own engine, the default), how often watches re-read Swarm anyway: the bound on how long
         * a lost event can hide a change from a watch. The event source's own resync (at most 30 s) and
         * every reconnect of its stream trigger a re-read too.
         */
        @WithDefault("60s")
        Duration resyncInterval();

        @WithDefault("10s")
        Duration responseTimeout();
    }
}
