package dev.relocator.core.controller;

import dev.relocator.core.model.NodeInfo;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Chooses where a volume goes: nodes that satisfy the placement constraints, are {@code active}
 * and {@code ready} in Swarm, whose agent holds a live lease, and that are not excluded (the
 * source being fenced); among them the one with the fewest attachments, ties broken by node id
 * so the choice is deterministic.
 */
public final class TargetSelector {

    private TargetSelector() {
    }

    public static Optional<String> choose(List<NodeInfo> nodes, List<String> placement, String exclude,
                                          Predicate<String> agentLive, Map<String, Integer> attachments) {
        return nodes.stream()
                .filter(n -> !n.id().equals(exclude))
                .filter(n -> n.availability() == NodeInfo.Availability.ACTIVE)
                .filter(n -> n.state() == NodeInfo.SwarmState.READY)
                .filter(n -> agentLive.test(n.id()))
                .filter(n -> Placement.matches(n, placement))
                .min(Comparator.<NodeInfo>comparingInt(n -> attachments.getOrDefault(n.id(), 0))
                        .thenComparing(NodeInfo::id))
                .map(NodeInfo::id);
    }

    /** True if {@code node} is still a usable target (same filters as {@link #choose}). */
    public static boolean eligible(List<NodeInfo> nodes, List<String> placement, String node, Predicate<String> agentLive) {
        return nodes.stream().anyMatch(n -> n.id().equals(node)
                && n.availability() == NodeInfo.Availability.ACTIVE
                && n.state() == NodeInfo.SwarmState.READY
                && agentLive.test(n.id())
                && Placement.matches(n, placement));
    }
}
