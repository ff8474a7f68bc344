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
 * {@code tasks.<service>} and asking each address who it is, and from the source address of
 * every heartbeat. Peers stay in the electorate of the peer-majority rule for
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
        timer.scheduleWithFixedDelay(this::refresh, 0, config.controller().discovery().refresh().toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    void refresh() {
        String dns = config.controller().discovery().serviceDns();
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(dns);
        } catch (UnknownHostException e) {
            LOG.debugf("%s does not resolve (not on the overlay network yet?)", dns);
            return;
        }
        for (InetAddress a : addresses) {
            String ip = a.getHostAddress();
            client.get(ip, "/internal/v1/identity").thenAccept(resp -> {
                if (resp.statusCode() == 200) {
                    Messages.Identity id = client.read(resp.body(), Messages.Identity.class);
                    learn(id.node(), ip, id.manager());
                }
            }).exceptionally(e -> null);
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
