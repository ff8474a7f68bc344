package dev.relocator.app;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Which Swarm node answers at which overlay address. Learnt by resolving
 * {@code tasks.<service>} and asking each address who it is, from the source address of
 * every heartbeat, and — on managers — from the Swarm API's view of this service's running
 * tasks (their overlay addresses). The Swarm API is the reliable source: the embedded DNS of
 * Docker 20.10 listed 1–2 of 3 tasks for minutes after a task restart in the lab, which left
 * agents heartbeating to a dead manager address and a restarted controller without a single
 * live agent ({@code NoEligibleNode} for 40–90 s). A manager's identity probe carries its own
 * identity ({@link #NODE_HEADER}, {@link #MANAGER_HEADER}), so every agent it reaches learns
 * the manager's new address within one refresh, whatever the DNS says. Peers stay in the electorate of the peer-majority rule for
 * {@code peer-expiry} after they were last seen, so a node that just died still counts (its
 * silence is exactly what the rule must weigh).
 */
@ApplicationScoped
public class Directory {

    private static final Logger LOG = Logger.getLogger(Directory.class);

    @Inject
    RelocatorConfig config;
    @Inject
    InternalClient client;
    @Inject
    SwarmRoleMonitor roles;
    @Inject
    jakarta.enterprise.inject.Instance<dev.relocator.store.SwarmApi> swarm;

    /** Sent with a manager's identity probe: the prober's node id. */
    public static final String NODE_HEADER = "Relocator-Node";
    /** Sent with a manager's identity probe: {@code true}. */
    public static final String MANAGER_HEADER = "Relocator-Manager";

    record Entry(String node, String address, boolean manager, long seenNanos) {
    }

    private final Map<String, Entry> byNode = new ConcurrentHashMap<>();
    private ScheduledExecutorService timer;

    void start(@Observes StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relocator-directory");
            t.setDaemon(true);
            return t;
        });
        knownOrStart = System.nanoTime();
        timer.schedule(this::refreshAndReschedule, 0, TimeUnit.MILLISECONDS);
    }

    /** While this instance knows no manager it asks every {@value #FAST_REFRESH_MS} ms, for at most this long. */
    static final java.time.Duration FAST_REFRESH_WINDOW = java.time.Duration.ofSeconds(60);
    static final long FAST_REFRESH_MS = 500;
    private volatile long knownOrStart;

    private void refreshAndReschedule() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.debugf("discovery refresh failed: %s", e.toString());
        }
        boolean known = !managerAddresses().isEmpty();
        long now = System.nanoTime();
        if (known) {
            knownOrStart = now;
        }
        try {
            timer.schedule(this::refreshAndReschedule,
                    nextRefreshMillis(known, now - knownOrStart, config.controller().discovery().refresh()), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    /**
     * A fresh instance (an update, or Swarm replacing the task after a partition) knew no manager for the whole
     * refresh period (5 s) plus a probe: ~9 s in the lab in which its node neither renewed a lease nor counted as a
     * live target or a proven peer. So while no manager is known, within {@link #FAST_REFRESH_WINDOW} of start or of
     * the last time one was, it asks again every {@link #FAST_REFRESH_MS} ms; then at the normal pace (a node
     * cut off for good must not probe busily).
     */
    static long nextRefreshMillis(boolean managerKnown, long nanosSinceKnownOrStart, java.time.Duration refresh) {
        if (!managerKnown && nanosSinceKnownOrStart < FAST_REFRESH_WINDOW.toNanos()) {
            return Math.min(FAST_REFRESH_MS, refresh.toMillis());
        }
        return refresh.toMillis();
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    void refresh() {
        String dns = config.controller().discovery().serviceDns();
        Set<String> addresses = new TreeSet<>();
        try {
            for (InetAddress a : InetAddress.getAllByName(dns)) {
                addresses.add(a.getHostAddress());
            }
        } catch (UnknownHostException e) {
            LOG.debugf("%s does not resolve (not on the overlay network yet?)", dns);
        }
        var role = roles.role();
        if (role.manager()) {
            addresses.addAll(swarmTaskAddresses(dns));
        }
        Map<String, String> me = role.manager() && role.nodeId() != null && !role.nodeId().isBlank()
                ? Map.of(NODE_HEADER, role.nodeId(), MANAGER_HEADER, "true") : Map.of();
        for (String ip : addresses) {
            client.get(ip, "/internal/v1/identity", me).thenAccept(resp -> {
                if (resp.statusCode() == 200) {
                    Messages.Identity id = client.read(resp.body(), Messages.Identity.class);
                    learn(id.node(), ip, id.manager());
                }
            }).exceptionally(e -> null);
        }
    }

    /**
     * The overlay addresses of this service's running tasks, as the Swarm API (the managers' Raft
     * store) has them. Empty when the service name cannot be derived from the DNS name or the
     * API does not answer: DNS and heartbeats still work then.
     */
    private List<String> swarmTaskAddresses(String dns) {
        Optional<String> service = serviceName(dns);
        if (service.isEmpty() || !swarm.isResolvable()) {
            return List.of();
        }
        try {
            return taskAddresses(swarm.get().list("/tasks", Map.of("service", List.of(service.get()),
                    "desired-state", List.of("running"))));
        } catch (RuntimeException e) {
            LOG.debugf("task addresses of %s from the Swarm API: %s", service.get(), e.getMessage());
            return List.of();
        }
    }

    /** {@code tasks.<service>} → {@code <service>}; any other name names no service. */
    static Optional<String> serviceName(String dns) {
        String prefix = "tasks.";
        return dns != null && dns.startsWith(prefix) && dns.length() > prefix.length()
                ? Optional.of(dns.substring(prefix.length())) : Optional.empty();
    }

    /** Every IPv4 address (without prefix length) of every non-ingress network attachment of running tasks. */
    static List<String> taskAddresses(List<com.fasterxml.jackson.databind.JsonNode> tasks) {
        Set<String> out = new TreeSet<>();
        for (var t : tasks) {
            if (!"running".equals(t.path("Status").path("State").asText())) {
                continue;
            }
            for (var attachment : t.path("NetworksAttachments")) {
                if ("ingress".equals(attachment.path("Network").path("Spec").path("Name").asText())) {
                    continue; // the routing mesh's sandbox address answers for the node, not for the task
                }
                for (var a : attachment.path("Addresses")) {
                    String cidr = a.asText();
                    int slash = cidr.indexOf('/');
                    String ip = slash < 0 ? cidr : cidr.substring(0, slash);
                    // IPv6 overlay addresses are left to DNS: InternalClient reads a ':' as host:port
                    if (!ip.isBlank() && !ip.contains(":")) {
                        out.add(ip);
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * An identity probe from a manager (its headers name it): the manager answers at the probe's
     * source address. How agents learn a restarted manager's address when DNS lags.
     */
    public void learnProber(String node, String manager, String address) {
        if ("true".equals(manager)) {
            learn(node, address, true);
        }
    }

    /** Records that {@code node} answers at {@code address} (an IP or host, without port). */
    public void learn(String node, String address, boolean manager) {
        if (node == null || node.isBlank() || address == null) {
            return;
        }
        byNode.put(node, new Entry(node, address, manager, System.nanoTime()));
    }

    /** From a heartbeat's source address: the sender's manager flag is not known there, so it is kept. */
    public void learnAgent(String node, String address) {
        Entry previous = node == null ? null : byNode.get(node);
        learn(node, address, previous != null && previous.manager());
    }

    public Optional<String> address(String node) {
        return Optional.ofNullable(byNode.get(node)).map(Entry::address);
    }

    /** Where heartbeats go: the configured manager addresses, else every manager seen recently. */
    public List<String> managerAddresses() {
        Optional<List<String>> fixed = config.controller().discovery().managerAddresses();
        if (fixed.isPresent() && !fixed.get().isEmpty()) {
            return fixed.get();
        }
        long horizon = System.nanoTime() - 3 * config.controller().discovery().refresh().toNanos();
        return byNode.values().stream().filter(e -> e.manager() && e.seenNanos() - horizon > 0).map(Entry::address).distinct().toList();
    }

    /** The peer-majority electorate: every other node seen within the peer expiry. */
    public Set<String> peers(String self) {
        long horizon = System.nanoTime() - config.controller().discovery().peerExpiry().toNanos();
        Set<String> out = new TreeSet<>();
        for (Entry e : byNode.values()) {
            if (!e.node().equals(self) && e.seenNanos() - horizon > 0) {
                out.add(e.node());
            }
        }
        return out;
    }
}
