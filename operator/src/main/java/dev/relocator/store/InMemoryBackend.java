package dev.relocator.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Unit tests only: the same record chain and CAS as the Swarm backend, in a map, with a global
 * counter standing in for Swarm's Raft index. It keeps the same bounded history.
 */
public final class InMemoryBackend implements StoreBackend {

    private final Map<String, List<Record>> chains = new HashMap<>();
    private final int historyGenerations;
    private long index = 10;

    public InMemoryBackend() {
        this(SwarmConfigBackend.DEFAULT_HISTORY);
    }

    public InMemoryBackend(int historyGenerations) {
        this.historyGenerations = historyGenerations;
    }

    @Override
    public synchronized List<Record> heads(ResourceKind kind) {
        List<Record> out = new ArrayList<>();
        chains.forEach((k, chain) -> {
            if (k.startsWith(kind.tag() + "/") && !chain.isEmpty()) {
                out.add(chain.get(chain.size() - 1));
            }
        });
        return out;
    }

    @Override
    public synchronized Optional<Record> head(ResourceKind kind, String name) {
        List<Record> chain = chains.get(key(kind, name));
        return chain == null || chain.isEmpty() ? Optional.empty() : Optional.of(chain.get(chain.size() - 1));
    }

    @Override
    public synchronized Record append(ResourceKind kind, String name, Record previous, long generation, boolean tombstone,
                                      ObjectNode object) {
        List<Record> chain = chains.computeIfAbsent(key(kind, name), k -> new ArrayList<>());
        Record head = chain.isEmpty() ? null : chain.get(chain.size() - 1);
        long prevSeq = previous == null ? 0 : previous.sequence();
        long headSeq = head == null ? 0 : head.sequence();
        if (prevSeq != headSeq) {
            throw new ConcurrentWriteException(kind.kind() + " " + name + " was written concurrently");
        }
        Record r = new Record(kind, name, headSeq + 1, ++index, generation, tombstone, object.deepCopy());
        chain.add(r);
        chain.removeIf(old -> old != r && SwarmConfigBackend.prunable(old, r, historyGenerations));
        return r;
    }

    @Override
    public synchronized List<Record> history(ResourceKind kind, String name) {
        return List.copyOf(chains.getOrDefault(key(kind, name), List.of()));
    }

    @Override
    public void close() {
        // nothing held
    }

    private static String key(ResourceKind kind, String name) {
        return kind.tag() + "/" + name;
    }
}
