package dev.relocator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.validation.FieldError;
import dev.relocator.crd.validation.ValidationOptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded random damage to valid resources: the loader must answer every input with either a
 * resource or errors, never an exception, and whatever it accepts must survive a round trip.
 * A failure prints the seed and the input, which replays it exactly.
 */
class RobustnessTest {

    private static final long SEED = Long.getLong("robustness.seed", 20261204L);
    private static final int TREE_MUTATIONS = Integer.getInteger("robustness.trees", 3000);
    private static final int BYTE_MUTATIONS = Integer.getInteger("robustness.bytes", 3000);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final ResourceLoader loader = new ResourceLoader(ValidationOptions.defaults());

    @Test
    void mutatedTreesGetAnswersNotExceptions() throws Exception {
        Random rnd = new Random(SEED);
        List<JsonNode> seeds = seeds();
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < TREE_MUTATIONS; i++) {
            ObjectNode doc = (ObjectNode) seeds.get(rnd.nextInt(seeds.size())).deepCopy();
            int changes = 1 + rnd.nextInt(3);
            for (int c = 0; c < changes; c++) {
                mutate(doc, rnd);
            }
            String input = rnd.nextBoolean() ? doc.toString() : Resources.jsonMapper().writeValueAsString(doc);
            String context = "seed " + SEED + " iteration " + i + ": " + input;
            ResourceLoader.Result r = assertDoesNotThrow(() -> loader.load(input), context);
            if (r.valid()) {
                accepted++;
                RelocatableVolume rv = r.resources().get(0);
                assertEquals(rv, loader.loadOne(Resources.toYaml(rv)), context);
            } else {
                rejected++;
                for (FieldError e : r.errors()) {
                    assertFalse(e.problem().isBlank(), context);
                    assertFalse(e.fix().isBlank(), context);
                }
            }
        }
        assertTrue(accepted > 0 && rejected > 0, "both outcomes occur: accepted " + accepted + ", rejected " + rejected);
    }

    @Test
    void damagedBytesGetAnswersNotExceptions() throws Exception {
        Random rnd = new Random(SEED);
        List<byte[]> files = new ArrayList<>();
        try (var s = Files.list(Path.of("examples"))) {
            for (Path p : s.sorted().toList()) {
                files.add(Files.readAllBytes(p));
            }
        }
        String alphabet = "{}[]:,-&*!|>'\"#%@`\n\t \\0aZ9.";
        for (int i = 0; i < BYTE_MUTATIONS; i++) {
            byte[] b = files.get(rnd.nextInt(files.size())).clone();
            switch (rnd.nextInt(3)) {
                case 0 -> b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
                case 1 -> {
                    for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                        b[rnd.nextInt(b.length)] = (byte) alphabet.charAt(rnd.nextInt(alphabet.length()));
                    }
                }
                default -> b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            byte[] input = b;
            String context = "seed " + SEED + " iteration " + i + ": " + new String(input, StandardCharsets.UTF_8);
            assertDoesNotThrow(() -> loader.load(input), context);
        }
    }

    private static List<JsonNode> seeds() throws Exception {
        ResourceLoader l = new ResourceLoader(ValidationOptions.defaults());
        List<JsonNode> out = new ArrayList<>();
        for (Path p : Fixtures.volumeExamples()) {
            out.add(Resources.toTree(l.loadOne(Files.readString(p))));
        }
        return out;
    }

    private static void mutate(ObjectNode root, Random rnd) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode target = containers.get(rnd.nextInt(containers.size()));
        if (target instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            if (names.isEmpty() || rnd.nextInt(5) == 0) {
                o.set("x" + rnd.nextInt(3), randomValue(rnd));
                return;
            }
            String name = names.get(rnd.nextInt(names.size()));
            if (rnd.nextInt(4) == 0) {
                o.remove(name);
            } else {
                o.set(name, randomValue(rnd));
            }
        } else if (target instanceof ArrayNode a) {
            if (a.isEmpty() || rnd.nextBoolean()) {
                a.add(randomValue(rnd));
            } else {
                a.set(rnd.nextInt(a.size()), randomValue(rnd));
            }
        }
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            n.forEach(c -> collect(c, out));
        }
    }

    private static JsonNode randomValue(Random rnd) {
        return switch (rnd.nextInt(14)) {
            case 0 -> F.nullNode();
            case 1 -> F.booleanNode(rnd.nextBoolean());
            case 2 -> F.numberNode(rnd.nextInt(2000) - 1000);
            case 3 -> F.numberNode(Long.MAX_VALUE);
            case 4 -> F.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
            case 5 -> F.numberNode(rnd.nextDouble() * 100);
            case 6 -> F.textNode("");
            case 7 -> F.textNode("/");
            case 8 -> F.textNode("node.hostname==a");
            case 9 -> F.textNode("command");
            case 10 -> F.objectNode();
            case 11 -> F.arrayNode().add("x").add(1);
            case 12 -> F.textNode("2026-12-04T20:13:15Z");
            default -> F.textNode("Ünïcødé\u0000\n" + rnd.nextInt());
        };
    }
}
