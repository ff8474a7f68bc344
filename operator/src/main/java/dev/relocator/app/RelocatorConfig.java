package dev.relocator.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Everything Relocator reads from configuration; defaults are the documented ones. */
@ConfigMapping(prefix = "relocator")
public interface RelocatorConfig {

    Docker docker();

    Watch watch();

    Lease lease();

    Agent agent();

    Controller controller();

    Api api();

    Fence fence();

    interface Fence {
        /** Fence hooks that run at once (further ones queue, bounded). */
        @WithDefault("2")
        int threads();

        /** Bearer token for fence webhooks (e.g. a Swarm secret), re-read at every call; none when empty. */
        Optional<String> webhookTokenFile();
    }

    interface Docker {
        /** The engine; empty: {@code DOCKER_HOST}, then {@code unix:///var/run/docker.sock}. */
        Optional<String> host();

        /** Where the event stream and its pings go, if not to {@link #host()} (a socket proxy). */
        Optional<String> eventHost();

        @WithDefault("3s")
        Duration connectTimeout();

        /** Bound of ordinary requests (inspect, list, create, service update). */
        @WithDefault("15s")
        Duration responseTimeout();

        /** Bound of the agent's per-tick calls (list, kill) and the leadership write: below the kill budget. */
        @WithDefault("800ms")
        Duration fastResponseTimeout();

        @WithDefault("16")
        int maxConnections();
    }

    interface Watch {
        /** Full re-read of the truth; at most 30 s. */
        @WithDefault("30s")
        Duration resyncPeriod();

        @WithDefault("10s")
        Duration stallTimeout();

        @WithDefault("5m")
        Duration quietLimit();

        @WithDefault("3s")
        Duration pingInterval();

        @WithDefault("5s")
        Duration maxBackoff();

        @WithDefault("1024")
        int queueCapacity();

        @WithDefault("1s")
        Duration overlap();
    }

    interface Lease {
        @WithDefault("1s")
        Duration heartbeat();

        @WithDefault("4s")
        Duration duration();

        /** Time reserved to kill, confirm and unmount before the lease deadline. */
        @WithDefault("1s")
        Duration killBudget();

        /** Heartbeat resend interval while unacknowledged. */
        @WithDefault("100ms")
        Duration retry();

        /** Agent loop period. */
        @WithDefault("100ms")
        Duration tick();

        /** Bound on any clock's rate error (0.001 = 1000 ppm). */
        @WithDefault("0.001")
        double maxDriftRate();

        /** Extra safety on the controller's view of a lease, on top of the drift term. */
        @WithDefault("500ms")
        Duration driftMargin();
    }

    interface Agent {
        @WithDefault("true")
        boolean enabled();

        /** A local image with sh, chown, chmod and stat for preparing volumes (the operator's own image). */
        @WithDefault("relocator:latest")
        String helperImage();

        @WithDefault("30s")
        Duration helperTimeout();

        /**
         * How many volume prepares (each runs one or two helper containers) may run at once on this node, off the
         * thread that keeps the lease: what a node taking over many workloads at once pays for them.
         */
        @WithDefault("4")
        int prepareConcurrency();

        /** Read by the fencing wrapper in workload entrypoints; survives an agent restart. */
        @WithDefault("/run/relocator/lease")
        String leaseFile();

        /**
         * On shutdown (an operator update), ask the controller to extend this node's lease by this much so the
         * node's writers keep running until the next instance resumes renewing. Must cover the new instance's
         * start on a loaded node; it is also the most by which the failover of a node that dies during the
         * hand-over is delayed. 0s: no hand-over (a restart longer than the lease relocates the node's writers).
         */
        @WithDefault("60s")
        Duration handoverExtension();

        /** How long shutdown waits for the controller to grant the hand-over before stopping without one. */
        @WithDefault("5s")
        Duration handoverTimeout();
    }

    interface Controller {
        @WithDefault("true")
        boolean enabled();

        /** How long one successful leadership proof lets the controller act. */
        @WithDefault("2s")
        Duration leaderLease();

        /**
         * The longest hand-over extension granted to a stopping agent (see {@code agent.handover-extension}); 0s
         * grants none. Bounds the extra failover delay of a node that dies during an operator update.
         */
        @WithDefault("60s")
        Duration maxHandover();

        /** How often Swarm role and leadership are re-read. */
        @WithDefault("1s")
        Duration roleCheck();

        /** How often the opted-in services are listed to find RelocatableVolume specs. */
        @WithDefault("5s")
        Duration specRefresh();

        Discovery discovery();
    }

    interface Discovery {
        /** DNS name that resolves to every Relocator task on the overlay network. */
        @WithDefault("tasks.relocator")
        String serviceDns();

        /** Fixed manager addresses (host or host:port); when set, heartbeats go only there. */
        Optional<List<String>> managerAddresses();

        @WithDefault("5s")
        Duration refresh();

        /** A peer not seen for this long leaves the peer-majority electorate. */
        @WithDefault("10m")
        Duration peerExpiry();
    }

    interface Api {
        /** The port other Relocator instances are reached on (the HTTP port of every instance). */
        @WithDefault("9494")
        int port();

        /** Bound of one internal HTTP call (heartbeat, command, peer query). */
        @WithDefault("1s")
        Duration requestTimeout();
    }
}
