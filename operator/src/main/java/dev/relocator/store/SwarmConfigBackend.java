package dev.relocator.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.crd.api.ResourceVersion;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Records as Swarm configs, so that resources live in the managers' Raft store and survive any
 * operator restart. Configs are immutable: every write is a new config, named after the object
 * and its write sequence number. The name is the compare-and-swap: two writers that read the
 * same head both try to create sequence n+1 and Swarm lets exactly one succeed. A config's own
 * {@code Version.Index} (a Raft index) is the object's resourceVersion.
 *
 * <p>After a write, older configs of the same generation and generations beyond the history
 * are removed, so at rest there is one config per generation, at most {@code history} of them.
 * A deletion leaves a tombstone config (the final object) so that watches can replay it; the
 * tombstone goes when the name is created again.
 *
 * <p>Labels on each config: {@value #SCOPE} (which store; tests use their own), {@value #KIND},
 * {@value #NAME}, {@value #GENERATION}, {@value #SEQUENCE}, {@value #PREVIOUS} (the resourceVersion
 * the write was made against) and {@value #TOMBSTONE} on deletions.
 */
public final class SwarmConfigBackend implements StoreBackend {

    public static final int DEFAULT_HISTORY = 3;
    public static final String SCOPE = "relocator.dev/store-scope";
    public static final String KIND = "relocator.dev/kind";
    public static final String NAME = "relocator.dev/resource-name";
    public static final String GENERATION = "relocator.dev/generation";
    public static final String SEQUENCE = "relocator.dev/sequence";
    public static final String PREVIOUS = "relocator.dev/previous-resource-version";
    public static final String TOMBSTONE = "relocator.dev/tombstone";
    private static final Pattern SCOPE_PATTERN = Pattern.compile("[a-z0-9]{1,16}");
    /** Swarm refuses longer config names. */
    private static final int MAX_CONFIG_NAME = 64;

    private final SwarmApi api;
    private final String scope;
    private final int history;

    public SwarmConfigBackend(SwarmApi api, String scope, int history) {
        if (!SCOPE_PATTERN.matcher(scope).matches()) {
            throw new IllegalArgumentException("store scope \"" + scope + "\" must be 1-16 characters of a-z and 0-9");
        }
        if (history < 1) {
            throw new IllegalArgumentException("history must keep at least the current generation, got " + history);
        }
        this.api = api;
        this.scope = scope;
        this.history = history;
    }

    public String scope() {
        return scope;
    }

    /** Whether {@code old} may go once {@code written} is stored (the head is never pruned). */
    static boolean prunable(Record old, Record written, int history) {
        if (old.sequence() >= written.sequence()) {
            return false;
        }
        return written.tombstone() || old.tombstone() || old.generation() == written.generation()
                || old.generation() <= written.generation() - history || old.generation() > written.generation();
    }

    /** The config name of one write: readable, unique per (scope, kind, name, sequence), ≤ 64 characters. */
    String configName(ResourceKind kind, String name, long sequence) {
        String head = "relocator." + scope + "." + kind.tag() + ".";
        String tail = "." + sequence;
        String full = head + name + tail;
        if (full.length() <= MAX_CONFIG_NAME) {
            return full;
        }
        String hash = sha256(name).substring(0, 8);
        int room = MAX_CONFIG_NAME - head.length() - tail.length() - hash.length() - 1;
        return head + name.substring(0, room) + "-" + hash + tail;
    }

    @Override
    public List<Record> heads(ResourceKind kind) {
        Map<String, Record> heads = new HashMap<>();
        for (Stored s : configs(kind, null)) {
            heads.merge(s.record.name(), s.record, (a, b) -> a.sequence() >= b.sequence() ? a : b);
        }
        return List.copyOf(heads.values());
    }

    @Override
    public Optional<Record> head(ResourceKind kind, String name) {
        return configs(kind, name).stream().map(Stored::record).max(Comparator.comparingLong(Record::sequence));
    }

    @Override
    public List<Record> history(ResourceKind kind, String name) {
        return configs(kind, name).stream().map(Stored::record).sorted(Comparator.comparingLong(Record::sequence)).toList();
    }

    @Override
    public Record append(ResourceKind kind, String name, Record previous, long generation, boolean tombstone, ObjectNode object) {
        long sequence = (previous == null ? 0 : previous.sequence()) + 1;
        ObjectNode spec = SwarmApi.object();
        spec.put("Name", configName(kind, name, sequence));
        ObjectNode labels = spec.putObject("Labels");
        labels.put(SCOPE, scope);
        labels.put(KIND, kind.kind());
        labels.put(NAME, name);
        labels.put(GENERATION, Long.toString(generation));
        labels.put(SEQUENCE, Long.toString(sequence));
        if (previous != null) {
            labels.put(PREVIOUS, ResourceVersion.of(previous.version()));
        }
        if (tombstone) {
            labels.put(TOMBSTONE, "true");
        }
        ObjectNode stored = object.deepCopy();
        stripVersion(stored);
        spec.put("Data", Base64.getEncoder().encodeToString(SwarmApi.bytes(stored)));
        SwarmApi.Reply r = api.send("POST", "/configs/create", spec);
        if (r.status() == 409) {
            throw new ConcurrentWriteException(kind.kind() + " " + name + ": write " + sequence + " exists already");
        }
        if (!r.ok()) {
            throw api.unavailable("creating config " + spec.get("Name").asText(), r);
        }
        String id = r.body().has("ID") ? r.body().path("ID").asText() : r.body().path("Id").asText();
        // a name freed by pruning could be taken again by a writer that read an old head: a later
        // sequence in the chain proves this write stale
        List<Stored> chain = configs(kind, name);
        Stored mine = chain.stream().filter(s -> s.id.equals(id)).findFirst()
                .orElseThrow(() -> new ConcurrentWriteException(kind.kind() + " " + name + ": write " + sequence + " vanished"));
        if (chain.stream().anyMatch(s -> s.record.sequence() > sequence)) {
            remove(id);
            throw new ConcurrentWriteException(kind.kind() + " " + name + ": a newer write exists");
        }
        for (Stored s : chain) {
            if (prunable(s.record, mine.record, history)) {
                remove(s.id);
            }
        }
        return mine.record;
    }

    private void remove(String id) {
        SwarmApi.Reply r = api.send("DELETE", "/configs/" + id, null);
        if (!r.ok() && r.status() != 404) {
            // left for the next write's prune; a failure here loses nothing
            org.jboss.logging.Logger.getLogger(SwarmConfigBackend.class).warnf("removing config %s failed: %s", id, r.message());
        }
    }

    private record Stored(String id, Record record) {
    }

    private List<Stored> configs(ResourceKind kind, String name) {
        List<String> label = new ArrayList<>(List.of(SCOPE + "=" + scope, KIND + "=" + kind.kind()));
        if (name != null) {
            label.add(NAME + "=" + name);
        }
        List<Stored> out = new ArrayList<>();
        for (JsonNode c : api.list("/configs", Map.of("label", label))) {
            JsonNode labels = c.path("Spec").path("Labels");
            // the engine filters by label; checking again keeps a lenient engine from mixing scopes
            if (!scope.equals(labels.path(SCOPE).asText()) || !kind.kind().equals(labels.path(KIND).asText())
                    || (name != null && !name.equals(labels.path(NAME).asText()))) {
                continue;
            }
            JsonNode data = SwarmApi.parse(Base64.getDecoder().decode(c.path("Spec").path("Data").asText()));
            out.add(new Stored(c.path("ID").asText(), new Record(kind, labels.path(NAME).asText(),
                    Long.parseLong(labels.path(SEQUENCE).asText("0")), c.path("Version").path("Index").asLong(),
                    Long.parseLong(labels.path(GENERATION).asText("1")), "true".equals(labels.path(TOMBSTONE).asText()),
                    (ObjectNode) data)));
        }
        return out;
    }

    private static void stripVersion(ObjectNode o) {
        JsonNode meta = o.get("metadata");
        if (meta instanceof ObjectNode m) {
            m.remove(List.of("resourceVersion", "generation"));
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        api.close();
    }
}
