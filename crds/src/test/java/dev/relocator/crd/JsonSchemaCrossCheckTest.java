package dev.relocator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.relocator.crd.schema.Defaulter;
import dev.relocator.crd.schema.SchemaNode;
import dev.relocator.crd.schema.SchemaValidator;
import dev.relocator.crd.validation.FieldError;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential test: the hand-written structural validator and networknt's JSON Schema
 * (draft 7) implementation, fed the CRD schema translated to JSON Schema with unknown
 * fields forbidden, must agree on valid/invalid for the examples and for thousands of
 * seeded random mutations. The translation covers the keywords the CRD uses; list-map
 * uniqueness (conditions by type) has no JSON Schema form and is left out of the
 * comparison by never generating it.
 */
class JsonSchemaCrossCheckTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final long SEED = Long.getLong("crosscheck.seed", 77L);
    private static final int ROUNDS = Integer.getInteger("crosscheck.rounds", 3000);

    private final SchemaNode structural = Resources.relocatableVolumeCrd().schema("v1alpha1").orElseThrow();
    private final SchemaValidator ours = new SchemaValidator(structural, Set.of("metadata"));
    private final JsonSchema theirs = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
            .getSchema(translate(structural, true));

    /** Structural schema → draft-7 JSON Schema with additionalProperties: false where Kubernetes would prune. */
    static JsonNode translate(SchemaNode s, boolean root) {
        ObjectNode j = F.objectNode();
        s.type().ifPresent(t -> {
            if (s.nullable()) {
                j.putArray("type").add(t).add("null");
            } else {
                j.put("type", t);
            }
        });
        if (!s.properties().isEmpty()) {
            ObjectNode props = j.putObject("properties");
            s.properties().forEach((k, v) -> props.set(k, root && k.equals("metadata") ? F.objectNode().put("type", "object")
                    : translate(v, false)));
        }
        s.additionalProperties().ifPresent(a -> j.set("additionalProperties", translate(a, false)));
        if (s.additionalProperties().isEmpty() && !s.preserveUnknownFields() && "object".equals(s.type().orElse(null))) {
            j.put("additionalProperties", false);
        }
        s.items().ifPresent(i -> j.set("items", translate(i, false)));
        if (!s.required().isEmpty()) {
            ArrayNode r = j.putArray("required");
            s.required().forEach(r::add);
        }
        if (!s.enumValues().isEmpty()) {
            ArrayNode e = j.putArray("enum");
            s.enumValues().forEach(e::add);
        }
        s.patternSource().ifPresent(p -> j.put("pattern", p));
        s.minLength().ifPresent(v -> j.put("minLength", v));
        s.maxLength().ifPresent(v -> j.put("maxLength", v));
        s.minimum().ifPresent(v -> j.put("minimum", v));
        s.maximum().ifPresent(v -> j.put("maximum", v));
        s.minItems().ifPresent(v -> j.put("minItems", v));
        s.maxItems().ifPresent(v -> j.put("maxItems", v));
        s.maxProperties().ifPresent(v -> j.put("maxProperties", v));
        if (s.uniqueItems() || "set".equals(s.listType().orElse(null))) {
            j.put("uniqueItems", true);
        }
        s.format().filter("date-time"::equals).ifPresent(f -> j.put("format", f));
        return j;
    }

    @Test
    void bothAcceptTheExamples() throws Exception {
        {
            for (Path p : Fixtures.volumeExamples()) {
                JsonNode doc = Resources.toTree(new ResourceLoader(dev.relocator.crd.validation.ValidationOptions.defaults())
                        .loadOne(Files.readString(p)));
                assertEquals(List.of(), ours.validate(doc), p.toString());
                assertEquals(Set.of(), theirs.validate(doc), p.toString());
            }
        }
    }

    @Test
    void bothAgreeOnRandomMutations() {
        Random rnd = new Random(SEED);
        int invalid = 0;
        for (int i = 0; i < ROUNDS; i++) {
            ObjectNode doc = Fixtures.base();
            for (int c = 0; c < 1 + rnd.nextInt(2); c++) {
                mutate(doc, rnd);
            }
            Defaulter.apply(doc, structural);
            List<FieldError> a = ours.validate(doc);
            Set<ValidationMessage> b = theirs.validate(doc);
            String context = "seed " + SEED + " round " + i + ": " + doc + "\nours: " + a + "\ntheirs: " + b;
            assertEquals(a.isEmpty(), b.isEmpty(), context);
            if (!a.isEmpty()) {
                invalid++;
            }
        }
        assertTrue(invalid > ROUNDS / 4 && invalid < ROUNDS, "a useful mix of valid and invalid: " + invalid);
    }

    private static void mutate(ObjectNode root, Random rnd) {
        List<ObjectNode> objects = new ArrayList<>();
        collect(root.get("spec"), objects);
        ObjectNode o = objects.get(rnd.nextInt(objects.size()));
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        int what = rnd.nextInt(6);
        if (what == 0 || names.isEmpty()) {
            String[] plausible = {"leaseSeconds", "heartbeatSeconds", "external", "mode", "uid", "constraints", "paused",
                    "policy", "fencing", "placement", "mountOptions", "nosuid", "bogus"};
            o.set(plausible[rnd.nextInt(plausible.length)], value(rnd));
        } else if (what == 1) {
            o.remove(names.get(rnd.nextInt(names.size())));
        } else {
            o.set(names.get(rnd.nextInt(names.size())), value(rnd));
        }
    }

    private static void collect(JsonNode n, List<ObjectNode> out) {
        if (n instanceof ObjectNode o) {
            out.add(o);
        }
        if (n != null && n.isContainerNode()) {
            n.forEach(c -> collect(c, out));
        }
    }

    private static JsonNode value(Random rnd) {
        return switch (rnd.nextInt(16)) {
            case 0 -> F.numberNode(rnd.nextInt(700) - 100);
            case 1 -> F.numberNode(4_000_000_000L);
            case 2 -> F.booleanNode(rnd.nextBoolean());
            case 3 -> F.textNode("0700");
            case 4 -> F.textNode("0800");
            case 5 -> F.textNode("command");
            case 6 -> F.textNode("relocate");
            case 7 -> F.textNode("/data");
            case 8 -> F.textNode("data");
            case 9 -> F.arrayNode().add("node.labels.zone==a").add("node.role!=manager");
            case 10 -> F.arrayNode().add("zone=a");
            case 11 -> F.arrayNode().add("x").add("x");
            case 12 -> F.objectNode().put("leaseSeconds", rnd.nextInt(400));
            case 13 -> F.objectNode();
            case 14 -> F.textNode("x".repeat(rnd.nextInt(2) == 0 ? 10 : 300));
            default -> F.nullNode();
        };
    }
}
