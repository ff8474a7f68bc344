package dev.relocator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.schema.CustomResourceDefinition;
import dev.relocator.crd.schema.InvalidSchemaException;
import dev.relocator.crd.schema.SchemaNode;
import dev.relocator.crd.schema.SchemaValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CRD itself: what the jar ships, that it is structural, and that its defaults are valid. */
class CrdDefinitionTest {

    private final CustomResourceDefinition crd = Resources.relocatableVolumeCrd();

    @ParameterizedTest
    @ValueSource(strings = {"relocatablevolume.yaml", "relocatorconfig.yaml"})
    void jarShipsTheDefinitionFromCrdsDefinitions(String file) throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(Resources.CRD_RESOURCE_DIR + file)) {
            assertNotNull(in, "the pom copies definitions/ into META-INF/relocator/crds");
            assertArrayEquals(Files.readAllBytes(Path.of("definitions", file)), in.readAllBytes());
        }
    }

    @Test
    void relocatorConfigCrdIsStructuralWithValidDefaults() {
        CustomResourceDefinition config = Resources.relocatorConfigCrd();
        assertEquals("relocatorconfigs.relocator.dev", config.name());
        assertEquals("Cluster", config.scope());
        List<String> checked = new ArrayList<>();
        walk(config.schema("v1alpha1").orElseThrow(), checked);
        assertTrue(checked.size() >= 5, "defaults checked: " + checked);
    }

    @Test
    void identityMatchesTheModel() {
        assertEquals("relocatablevolumes.relocator.dev", crd.name());
        assertEquals(RelocatableVolume.GROUP, crd.group());
        assertEquals(RelocatableVolume.KIND, crd.kind());
        assertEquals(RelocatableVolume.LIST_KIND, crd.listKind());
        assertEquals(RelocatableVolume.PLURAL, crd.plural());
        assertEquals("Cluster", crd.scope());
        assertTrue(crd.statusSubresource());
        assertEquals(Set.of(RelocatableVolume.VERSION), crd.versions().keySet());
    }

    @Test
    void schemaCarriesTheDesignDefaultsAndBounds() {
        SchemaNode fencing = spec().properties().get("fencing");
        SchemaNode lease = fencing.properties().get("leaseSeconds");
        assertEquals(4, lease.defaultValue().orElseThrow().asInt());
        assertEquals(2.0, lease.minimum().orElseThrow());
        assertEquals(300.0, lease.maximum().orElseThrow());
        assertEquals(1, fencing.properties().get("heartbeatSeconds").defaultValue().orElseThrow().asInt());
        assertEquals(List.of("none", "command", "webhook"),
                fencing.properties().get("external").enumValues().stream().map(JsonNode::asText).toList());
        SchemaNode mount = spec().properties().get("mountOptions");
        assertTrue(mount.properties().get("nosuid").defaultValue().orElseThrow().booleanValue());
        assertTrue(mount.properties().get("nodev").defaultValue().orElseThrow().booleanValue());
        assertEquals(List.of("service", "volume", "target"), spec().required());
        assertEquals(List.of("Pending", "Attached", "Fencing", "Detaching", "Attaching", "Starting", "Failed"),
                crd.schema("v1alpha1").orElseThrow().properties().get("status").properties().get("phase")
                        .enumValues().stream().map(JsonNode::asText).toList());
    }

    /** The API server rejects a CRD whose default does not validate against its own schema. */
    @Test
    void everyDefaultIsValidAgainstItsOwnSchema() {
        List<String> checked = new ArrayList<>();
        walk(crd.schema("v1alpha1").orElseThrow(), checked);
        assertTrue(checked.size() >= 10, "defaults checked: " + checked);
    }

    private static void walk(SchemaNode s, List<String> checked) {
        s.defaultValue().ifPresent(d -> {
            assertEquals(List.of(), new SchemaValidator(s, Set.of()).validate(d), s.path());
            checked.add(s.path());
        });
        s.properties().values().forEach(p -> walk(p, checked));
        s.items().ifPresent(i -> walk(i, checked));
        s.additionalProperties().ifPresent(a -> walk(a, checked));
    }

    /** Every node below the root states a description, so `kubectl explain` has something to say. */
    @Test
    void specFieldsAreDescribed() {
        List<String> undocumented = new ArrayList<>();
        spec().properties().forEach((name, p) -> {
            if (p.description().isEmpty()) {
                undocumented.add(name);
            }
            p.properties().forEach((n2, p2) -> {
                if (p2.description().isEmpty()) {
                    undocumented.add(name + "." + n2);
                }
            });
        });
        assertEquals(List.of(), undocumented);
    }

    @Test
    void compilerRefusesWhatItCannotEnforce() throws IOException {
        YAMLMapper y = new YAMLMapper();
        Map<String, String> bad = Map.of(
                "type: object\nx-kubernetes-validations: [{rule: 'self.a > 0'}]\n", "keyword 'x-kubernetes-validations' is not supported",
                "properties: {a: {type: string}}\n", "a structural schema needs a type at every level",
                "type: object\nproperties: {a: {type: string}}\nadditionalProperties: false\n", "additionalProperties must be a schema",
                "type: array\n", "an array schema needs items",
                "type: object\nrequired: [b]\nproperties: {a: {type: string}}\n", "required property 'b' is not declared",
                "type: string\npattern: '(['\n", "pattern does not compile");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            InvalidSchemaException ex = assertThrows(InvalidSchemaException.class, () -> SchemaNode.compile(y.readTree(e.getKey())));
            assertTrue(ex.getMessage().contains(e.getValue()), ex.getMessage());
        }
    }

    @Test
    void crdEnvelopeIsChecked() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("apiVersion", "apiextensions.k8s.io/v1beta1");
        n.put("kind", "CustomResourceDefinition");
        assertThrows(InvalidSchemaException.class, () -> CustomResourceDefinition.of(n));
    }

    private SchemaNode spec() {
        return crd.schema("v1alpha1").orElseThrow().properties().get("spec");
    }
}
