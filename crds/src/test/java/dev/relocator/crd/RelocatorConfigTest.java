package dev.relocator.crd;

import dev.relocator.crd.model.RelocatorConfig;
import dev.relocator.crd.model.Spec;
import dev.relocator.crd.validation.FieldError;
import dev.relocator.crd.validation.ValidationException;
import dev.relocator.crd.validation.ValidationOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RelocatorConfigTest {

    private final ResourceLoader loader = new ResourceLoader(ValidationOptions.defaults());

    @Test
    void exampleLoadsWithDefaults() throws Exception {
        RelocatorConfig c = loader.loadConfig(Files.readString(Path.of("examples/relocatorconfig.yaml")));
        assertFalse(c.spec().maintenance().enabled());
        assertEquals(List.of("vieux/sshfs"), c.spec().volumeDrivers());
        assertEquals(2, c.spec().fenceHooks().size());
        RelocatorConfig.FenceHook ipmi = c.spec().fenceHooks().get(0);
        assertEquals(Spec.External.COMMAND, ipmi.external());
        assertEquals(60, ipmi.timeoutSeconds());
        assertEquals(30, c.spec().fenceHooks().get(1).timeoutSeconds(), "default from the CRD");
        assertEquals(c, loader.loadConfig(Resources.toYaml(c)), "round trip");
    }

    @Test
    void firstMatchingHookWins() throws Exception {
        RelocatorConfig c = loader.loadConfig(Files.readString(Path.of("examples/relocatorconfig.yaml")));
        assertEquals("ipmi", c.spec().hookFor(Map.of("fence", "ipmi", "zone", "a")).orElseThrow().name());
        assertEquals("lab-webhook", c.spec().hookFor(Map.of("zone", "a")).orElseThrow().name(), "no nodeLabels: every node");
        assertEquals(Optional.empty(), RelocatorConfig.defaults().spec().hookFor(Map.of()));
    }

    @Test
    void configFeedsTheDriverAllowlist() throws Exception {
        RelocatorConfig c = loader.loadConfig(Files.readString(Path.of("examples/relocatorconfig.yaml")));
        ResourceLoader withPlugins = new ResourceLoader(ValidationOptions.defaults().withDrivers(c.spec().volumeDrivers()));
        String sshfs = Fixtures.BASE.replace("driver: local", "driver: vieux/sshfs");
        assertTrue(withPlugins.load(sshfs).valid());
        assertFalse(loader.load(sshfs).valid());
    }

    @Test
    void minimalConfigIsAllDefaults() {
        RelocatorConfig c = loader.loadConfig("apiVersion: relocator.dev/v1alpha1\nkind: RelocatorConfig\nmetadata: {name: default}\nspec: {}\n");
        assertEquals(RelocatorConfig.defaults().spec(), c.spec());
    }

    @Test
    void rejectsWhatCannotWork() {
        ValidationException e = assertThrows(ValidationException.class, () -> loader.loadConfig("""
                apiVersion: relocator.dev/v1alpha1
                kind: RelocatorConfig
                metadata: {name: cluster}
                spec:
                  maintenance: {enabled: "yes"}
                  volumeDrivers: [local, local]
                  fenceHooks:
                    - {name: a, external: command}
                    - {name: b, external: webhook, webhookUrl: "https://f/x", command: [/bin/x]}
                    - {name: a, external: none}
                    - {name: c, nodeLabels: {fence: ipmi}, external: command, command: [fence]}
                    - {name: d, nodeLabels: {fence: ipmi}, external: webhook, webhookUrl: "https://f/y"}
                """));
        List<String> got = e.errors().stream().map(f -> f.field() + " | " + f.problem()).toList();
        assertEquals(List.of(
                "spec.maintenance.enabled | must be a boolean, got string \"yes\"",
                "spec.volumeDrivers[1] | duplicate value \"local\"",
                "spec.fenceHooks[2].external | unsupported value \"none\"",
                "spec.fenceHooks[2] | duplicate entry with name=a",
                "metadata.name | RelocatorConfig is a singleton, got \"cluster\"",
                "spec.fenceHooks[0].command | is required when external is command",
                "spec.fenceHooks[1].command | is set but external is webhook, so it would never run",
                "spec.fenceHooks[1].nodeLabels | selects the same nodes as spec.fenceHooks[0], which always wins",
                "spec.fenceHooks[2].nodeLabels | selects the same nodes as spec.fenceHooks[0], which always wins",
                "spec.fenceHooks[3].command[0] | \"fence\" is not an absolute path (the command runs without a shell or PATH lookup)",
                "spec.fenceHooks[4].nodeLabels | selects the same nodes as spec.fenceHooks[3], which always wins"), got);
        assertTrue(e.errors().stream().map(FieldError::fix).noneMatch(String::isBlank));
    }

    @Test
    void aVolumeIsNotAConfig() {
        ValidationException e = assertThrows(ValidationException.class, () -> loader.loadConfig(Fixtures.BASE));
        assertEquals("kind | unsupported kind \"RelocatableVolume\"", e.errors().get(0).field() + " | " + e.errors().get(0).problem());
    }
}
