/**
 * Where RelocatableVolumes and the RelocatorConfig live: Swarm's Raft store, as Swarm configs.
 *
 * <p>{@link dev.relocator.store.ResourceStore} is the contract (the API server's object semantics);
 * {@link dev.relocator.store.VersionedResourceStore} implements those semantics once, over a
 * {@link dev.relocator.store.StoreBackend}: an append-only chain of immutable records per object
 * with compare-and-swap on its head. {@link dev.relocator.store.SwarmConfigBackend} makes each
 * record a Swarm config (the config name is the CAS, the config's Raft index the resourceVersion);
 * {@link dev.relocator.store.InMemoryBackend} exists for unit tests only. Watches are derived by
 * diffing successive reads ({@code WatchHub}), because other operator instances and
 * {@code docker service update} change Swarm without telling this one. docs/api.md §1 is the
 * reference.
 */
package dev.relocator.store;
