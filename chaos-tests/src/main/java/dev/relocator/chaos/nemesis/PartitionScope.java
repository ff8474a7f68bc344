package dev.relocator.chaos.nemesis;

/** Who a partitioned node can no longer talk to. */
public enum PartitionScope {
    /** every other node and the host (the lab gateway, where a Kafka broker listens) */
    FULL,
    /** the managers only: workers still reach it, the control plane does not */
    MANAGERS
}
