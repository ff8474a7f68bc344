package dev.relocator.crd;

import dev.relocator.crd.model.Condition;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.model.Spec;
import dev.relocator.crd.model.Status;
import dev.relocator.crd.validation.ValidationOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every file in crds/examples is a valid resource, and says what it claims to. */
class ExamplesTest {

    private static final ResourceLoader LOADER = new ResourceLoader(ValidationOptions.defaults());

    static Stream<Path> examples() {
        return Fixtures.volumeExamples().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void exampleIsValid(Path file) throws IOException {
        ResourceLoader.Result r = LOADER.load(Files.readAllBytes(file));
        assertEquals(List.of(), r.errors(), file.toString());
        assertEquals(1, r.resources().size());
    }

    @Test
    void thereAreAtLeastTheThreeExamplesOfTheBrief() {
        assertTrue(examples().map(p -> p.getFileName().toString()).toList()
                .containsAll(List.of("postgres-nfs.yaml", "lab-writer-bind.yaml", "fence-hook.yaml")));
    }

    @Test
    void postgresOnNfsGetsItsDefaults() throws IOException {
        RelocatableVolume rv = load("postgres-nfs.yaml");
        assertEquals("pgdata", rv.name());
        Spec s = rv.spec();
        assertEquals("shop_db", s.service());
        assertEquals(new Spec.Volume("pgdata", "local", Map.of("type", "nfs", "o", "addr=nas.lab,rw,nfsvers=4.1",
                "device", ":/exports/pg")), s.volume());
        assertEquals(new Spec.Ownership(999L, 999L, "0700"), s.ownership());
        assertEquals(0700, s.ownership().modeBits().orElseThrow());
        assertEquals(new Spec.MountOptions(true, true), s.mountOptions());
        assertEquals(new Spec.Fencing(4, 1, Spec.External.NONE, List.of(), null, 30), s.fencing());
        assertEquals(List.of("node.labels.zone==a", "node.role==worker"), s.placement().constraints());
        assertEquals(new Spec.Policy(Spec.OnTaskFailure.RELOCATE, 2), s.policy());
        assertEquals(null, rv.status());
    }

    @Test
    void labWriterIsABindOfTheSharedDirectory() throws IOException {
        RelocatableVolume rv = load("lab-writer-bind.yaml");
        assertEquals(Map.of("type", "none", "o", "bind", "device", "/srv/relocator-lab/shared/writer"), rv.spec().volume().options());
        assertEquals("/data", rv.spec().target());
        assertEquals(Spec.Policy.DEFAULT, rv.spec().policy());
    }

    @Test
    void fenceHookCarriesItsCommand() throws IOException {
        Spec.Fencing f = load("fence-hook.yaml").spec().fencing();
        assertEquals(Spec.External.COMMAND, f.external());
        assertEquals(List.of("/usr/local/sbin/fence-ipmi", "--power-off", "--confirm"), f.command());
        assertEquals(10, f.leaseSeconds());
        assertEquals(2, f.heartbeatSeconds());
        assertEquals(60, f.timeoutSeconds());
    }

    @Test
    void statusExampleMapsOntoTheModel() throws IOException {
        RelocatableVolume rv = load("with-status.yaml");
        Status st = rv.status();
        assertEquals(Status.Phase.Attached, st.phase());
        assertEquals("w1", st.node());
        assertEquals(7L, st.epoch());
        assertEquals(3L, st.observedGeneration());
        Condition ready = st.condition(Condition.Type.Ready).orElseThrow();
        assertEquals(Condition.State.TRUE, ready.status());
        assertEquals(Instant.parse("2026-12-04T20:01:12Z"), ready.lastTransitionTime());
        assertEquals(6.8, st.lastRelocation().downtimeSeconds());
        assertEquals("4711", rv.metadata().resourceVersion());
        assertEquals(List.of("relocator.dev/detach"), rv.metadata().finalizers());
        assertEquals(Instant.parse("2026-12-01T09:00:00Z"), rv.metadata().creationTimestamp());
    }

    private static RelocatableVolume load(String name) throws IOException {
        return LOADER.loadOne(Files.readString(Path.of("examples", name)));
    }
}
