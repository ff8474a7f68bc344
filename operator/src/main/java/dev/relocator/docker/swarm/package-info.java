/**
 * Swarm as the controller sees it, and the one kind of write Relocator makes.
 *
 * <p>Every write is a compare-and-swap on a service's raw JSON spec: read at a version, change
 * only the {@code relocator.dev/*} labels, the constraints (the {@code node.id==} pin) and the
 * replica count, and send it back with that version. Swarm refuses a write made against an old
 * version ("update out of sequence"), surfaced as a stale-version error that changes nothing.
 * The raw form matters: docker-java's typed spec would drop fields it does not model (ulimits,
 * sysctls, capabilities) from a user's service.
 *
 * <p>Leadership comes from Swarm (the local node's {@code ManagerStatus.Leader}) and is proven
 * by a write that needs a Raft quorum (the local node's spec written back unchanged), because a
 * partitioned ex-leader still answers reads.
 */
package dev.relocator.docker.swarm;
