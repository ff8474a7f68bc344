package dev.relocator.crd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relocator.crd.load.ParseLimits;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.model.Spec;
import dev.relocator.crd.validation.FieldError;
import dev.relocator.crd.validation.ValidationException;
import dev.relocator.crd.validation.ValidationOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoaderTest {

    private final ResourceLoader loader = new ResourceLoader(ValidationOptions.defaults());

    @Test
    void defaultsComeFromTheCrdSchema() {
        RelocatableVolume rv = loader.loadOne(Fixtures.BASE);
        assertEquals(Spec.MountOptions.DEFAULT, rv.spec().mountOptions());
        assertEquals(new Spec.Fencing(4, 1, Spec.External.NONE, List.of(), null, 30), rv.spec().fencing());
        assertEquals(new Spec.Policy(Spec.OnTaskFailure.RESTART, 3), rv.spec().policy());
        assertFalse(rv.spec().paused());
        assertNull(rv.spec().placement(), "placement has no default: absent stays absent");
        JsonNode tree = loader.validator().validate(Fixtures.base()).defaulted();
        assertEquals(4, tree.at("/spec/fencing/leaseSeconds").asInt(), "the defaulted tree carries the schema's value");
        assertTrue(tree.at("/spec/mountOptions/nodev").booleanValue());
    }

    @Test
    void explicitValuesWinOverDefaultsAndNullMeansDefault() {
        RelocatableVolume rv = loader.loadOne(Fixtures.BASE + """
                  fencing: {leaseSeconds: 12, heartbeatSeconds: 3, timeoutSeconds: null}
                  mountOptions: null
                """);
        assertEquals(12, rv.spec().fencing().leaseSeconds());
        assertEquals(3, rv.spec().fencing().heartbeatSeconds());
        assertEquals(30, rv.spec().fencing().timeoutSeconds(), "null in a non-nullable field is pruned, then defaulted");
        assertEquals(Spec.MountOptions.DEFAULT, rv.spec().mountOptions());
    }

    @Test
    void defaultingDoesNotTouchTheCallersTree() {
        var tree = Fixtures.base();
        String before = tree.toString();
        assertTrue(loader.validator().validate(tree).valid());
        assertEquals(before, tree.toString());
    }

    @Test
    void yamlAndJsonGiveTheSameResource() {
        RelocatableVolume fromYaml = loader.loadOne(Fixtures.BASE);
        RelocatableVolume fromJson = loader.loadOne(Fixtures.base().toPrettyString());
        assertEquals(fromYaml, fromJson);
    }

    @Test
    void yamlFlowMappingIsYamlNotBrokenJson() {
        String flow = "{apiVersion: relocator.dev/v1alpha1, kind: RelocatableVolume, metadata: {name: pgdata},"
                + " spec: {service: shop_db, volume: {name: pgdata, driver: local,"
                + " options: {type: nfs, o: 'addr=nas,rw', device: ':/pg'}}, target: /var/lib/postgresql/data,"
                + " ownership: {uid: 999, gid: 999, mode: '0700'}}}";
        assertEquals(loader.loadOne(Fixtures.BASE), loader.loadOne(flow));
    }

    @Test
    void serialisedResourceLoadsBackEqual() throws Exception {
        for (String f : List.of("postgres-nfs.yaml", "fence-hook.yaml", "with-status.yaml", "lab-writer-bind.yaml")) {
            RelocatableVolume rv = loader.loadOne(Files.readString(Path.of("examples", f)));
            assertEquals(rv, loader.loadOne(Resources.toYaml(rv)), f + " via YAML");
            assertEquals(rv, loader.loadOne(Resources.toJson(rv)), f + " via JSON");
        }
    }

    @Test
    void multiDocumentYamlKeepsOrderAndSkipsEmptyDocuments() {
        String two = Fixtures.BASE + "---\n---\n" + Fixtures.BASE.replace("name: pgdata\nspec", "name: other\nspec");
        ResourceLoader.Result r = loader.load(two);
        assertTrue(r.valid(), () -> r.errors().toString());
        assertEquals(List.of("pgdata", "other"), r.resources().stream().map(RelocatableVolume::name).toList());
    }

    @Test
    void oneBadDocumentDoesNotHideTheOthers() {
        String input = Fixtures.BASE + "---\n" + Fixtures.BASE.replace("driver: local", "driver: nope")
                + "---\n" + Fixtures.BASE.replace("shop_db", "-bad");
        ResourceLoader.Result r = loader.load(input);
        assertFalse(r.valid());
        assertEquals(3, r.documents().size());
        assertTrue(r.documents().get(0).valid());
        assertEquals("spec.volume.driver", r.documents().get(1).errors().get(0).field());
        assertEquals(1, r.documents().get(1).index());
        assertEquals("spec.service", r.documents().get(2).errors().get(0).field());
        assertEquals(1, r.resources().size());
    }

    @Test
    void concatenatedJsonAndListsAreMultiDocument() {
        String json = Fixtures.base().toString();
        assertEquals(2, loader.load(json + "\n" + json).resources().size());
        String list = "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[" + json + "," + json + "]}";
        assertEquals(2, loader.load(list).resources().size());
        String rvList = "apiVersion: relocator.dev/v1alpha1\nkind: RelocatableVolumeList\nitems:\n- " + Fixtures.base()
                + "\n";
        assertEquals(1, loader.load(rvList).resources().size());
    }

    @Test
    void loadOneRefusesSeveralResources() {
        ValidationException e = assertThrows(ValidationException.class, () -> loader.loadOne(Fixtures.BASE + "---\n" + Fixtures.BASE));
        assertEquals("expected one resource, found 2", e.errors().get(0).problem());
    }

    @Test
    void yaml12ScalarsAndModestAliasesWork() {
        RelocatableVolume rv = loader.loadOne("""
                apiVersion: relocator.dev/v1alpha1
                kind: RelocatableVolume
                metadata:
                  name: on
                  labels: {tier: no, created: 2026-12-04}
                spec:
                  service: shop_db
                  volume: {name: pgdata, driver: local, options: &nfs {type: nfs, o: "addr=nas", device: ":/pg"}}
                  target: /data
                  ownership: {uid: 0x3e7, gid: 0o1747, mode: "0700"}
                  fencing: {leaseSeconds: +4}
                """);
        assertEquals("on", rv.name(), "on is a string in YAML 1.2, not a boolean");
        assertEquals(Map.of("tier", "no", "created", "2026-12-04"), rv.metadata().labels(), "no timestamps, no yes/no booleans");
        assertEquals(999L, rv.spec().ownership().uid());
        assertEquals(999L, rv.spec().ownership().gid());
        assertEquals(4, rv.spec().fencing().leaseSeconds());
        String aliased = Fixtures.BASE.replace("options: {type: nfs, o: \"addr=nas,rw\", device: \":/pg\"}",
                "options: *opts").replace("spec:\n", "x-opts: &opts {type: nfs, o: \"addr=nas,rw\", device: \":/pg\"}\nspec:\n");
        ResourceLoader.Result r = loader.load(aliased);
        assertEquals(List.of("x-opts"), r.errors().stream().map(FieldError::field).toList(),
                "the alias expands to the anchored mapping; only the helper key is unknown");
    }

    @Test
    void limitsAreConfigurable() {
        ResourceLoader small = new ResourceLoader(ValidationOptions.defaults()
                .withLimits(ParseLimits.defaults().withMaxResourceBytes(200)));
        ResourceLoader.Result r = small.load(Fixtures.BASE);
        assertEquals(1, r.errors().size());
        assertTrue(r.errors().get(0).problem().matches("the resource is \\d+ bytes as JSON, the limit is 200"),
                r.errors().get(0).problem());
        assertThrows(IllegalArgumentException.class, () -> new ParseLimits(0, 1, 1, 2, 1));
    }

    /** Few aliases can still multiply: the value budget stops what the alias count lets through. */
    @Test
    void aliasExpansionIsBoundedByTheValueBudget() {
        ResourceLoader tight = new ResourceLoader(ValidationOptions.defaults()
                .withLimits(new ParseLimits(1 << 20, 256 << 10, 16, 32, 500)));
        String fanOut = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                + "c: [*b, *b, *b, *b, *b]\n";
        List<FieldError> errors = tight.load(fanOut).errors();
        assertEquals(1, errors.size());
        assertEquals("YAML expands to more than 500 values (alias expansion bomb?)", errors.get(0).problem());
        assertEquals(List.of("apiVersion", "kind"), loader.load(fanOut).errors().stream().map(FieldError::field).toList(),
                "under the default budget the same input parses, and fails only as a resource");
    }

    @Test
    void validatesModelInstancesToo() {
        RelocatableVolume rv = loader.loadOne(Fixtures.BASE);
        assertTrue(loader.validator().validate(rv).valid());
        RelocatableVolume bad = new RelocatableVolume(null, null, rv.metadata(), new Spec(rv.spec().service(),
                rv.spec().volume(), rv.spec().target(), rv.spec().ownership(), rv.spec().mountOptions(),
                new Spec.Fencing(2, 2, Spec.External.NONE, List.of(), null, 30), null, rv.spec().policy(), false), null);
        assertEquals(List.of("spec.fencing.leaseSeconds"),
                loader.validator().validate(bad).errors().stream().map(FieldError::field).toList());
    }
}
