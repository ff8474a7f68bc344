package dev.relocator.crd;

import dev.relocator.crd.labels.LabelShorthand;
import dev.relocator.crd.labels.LabelShorthand.Mount;
import dev.relocator.crd.labels.LabelShorthand.Workload;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.validation.FieldError;
import dev.relocator.crd.validation.ResourceValidator;
import dev.relocator.crd.validation.ValidationOptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A service that opts in with {@code relocator.dev/volume} and mounts the volume (what the lab and
 * {@code deploy/} do) is the same resource as the YAML form that spells the mount out: target,
 * driver and options come from the mount, placement from the service's own constraints.
 */
class LabelShorthandDerivationTest {

    private final ResourceLoader loader = new ResourceLoader(ValidationOptions.defaults());
    private final LabelShorthand shorthand = new LabelShorthand(ValidationOptions.defaults());

    private static final Mount PG = new Mount("volume", "shop_pgdata", "/var/lib/postgresql/data", "local",
            Map.of("type", "nfs", "o", "addr=nas,rw", "device", ":/pg"));
    private static final Mount LEASE = new Mount("bind", "/run/relocator", "/run/relocator", "", Map.of());

    private static Workload mounts(Mount... m) {
        return new Workload(List.of(m), List.of());
    }

    private List<String> errors(Map<String, String> labels, Workload w) {
        ResourceValidator.Result r = shorthand.parse("shop_db", labels, w);
        assertFalse(r.valid(), "refused");
        return r.errors().stream().map(FieldError::toString).toList();
    }

    @Test
    void theMountGivesTargetDriverAndOptionsAndTheServiceItsPlacement() {
        RelocatableVolume yaml = loader.loadOne("""
                apiVersion: relocator.dev/v1alpha1
                kind: RelocatableVolume
                metadata: { name: shop-pgdata }
                spec:
                  service: shop_db
                  volume: { name: shop_pgdata, driver: local, options: { type: nfs, o: "addr=nas,rw", device: ":/pg" } }
                  target: /var/lib/postgresql/data
                  placement: { constraints: ["node.role==worker"] }
                  paused: true
                """);
        Workload w = new Workload(List.of(LEASE, PG), List.of("node.role==worker", "node.id == abc123"));
        assertEquals(yaml, shorthand.require("shop_db", Map.of("relocator.dev/volume", "shop_pgdata", "relocator.dev/paused", "true"), w),
                "the controller's node.id pin is not the user's placement");
        // labels that say the same are no different
        assertEquals(yaml, shorthand.require("shop_db", Map.of("relocator.dev/volume", "shop_pgdata", "relocator.dev/paused", "true",
                "relocator.dev/target", "/var/lib/postgresql/data", "relocator.dev/driver", "local"), w));
    }

    @Test
    void labelsWinOverTheMountAndTheService() {
        Workload w = new Workload(List.of(PG), List.of("node.role==worker"));
        RelocatableVolume rv = shorthand.require("shop_db", Map.of("relocator.dev/volume", "shop_pgdata",
                "relocator.dev/volume-opt.type", "nfs", "relocator.dev/volume-opt.o", "addr=other", "relocator.dev/volume-opt.device", ":/x",
                "relocator.dev/constraints", "node.labels.zone==a"), w);
        assertEquals(Map.of("type", "nfs", "o", "addr=other", "device", ":/x"), rv.spec().volume().options(),
                "option labels replace the mount's options as a whole");
        assertEquals(List.of("node.labels.zone==a"), rv.spec().placement().constraints());
        assertEquals("/var/lib/postgresql/data", rv.spec().target());
    }

    @Test
    void aMountWithoutDriverConfigIsTheLocalDriverAndNeedsOptions() {
        List<String> e = errors(Map.of("relocator.dev/volume", "shop_pgdata"),
                mounts(new Mount("volume", "shop_pgdata", "/data", "", Map.of())));
        assertEquals(1, e.size(), e::toString);
        assertTrue(e.get(0).startsWith("mounts[shop_pgdata].options: "), e.get(0));
    }

    @Test
    void aVolumeThatIsNotMountedIsAPreciseError() {
        List<String> e = errors(Map.of("relocator.dev/volume", "shop_pgdata"), mounts(LEASE));
        assertEquals(List.of("labels[relocator.dev/volume]: service shop_db mounts no volume named shop_pgdata, so the mount path "
                + "is unknown: add the mount to the service (--mount type=volume,source=shop_pgdata,target=<path>; in a stack file "
                + "volumes: [\"shop_pgdata:<path>\"]), or set relocator.dev/target=<path>"), e);
    }

    @Test
    void aBindMountOfTheSameNameIsNotTheVolume() {
        List<String> e = errors(Map.of("relocator.dev/volume", "shop_pgdata"),
                mounts(new Mount("bind", "shop_pgdata", "/data", "", Map.of())));
        assertTrue(e.get(0).contains("it has a bind mount with that source, which is not a named volume"), e::toString);
    }

    @Test
    void noMountsAtAllIsTheSameError() {
        List<String> e = errors(Map.of("relocator.dev/volume", "shop_pgdata"), Workload.NONE);
        assertTrue(e.get(0).startsWith("labels[relocator.dev/volume]: service shop_db mounts no volume named shop_pgdata"), e::toString);
    }

    @Test
    void twoMountsOfTheVolumeAreAmbiguousUntilATargetLabelPicksOne() {
        Workload w = mounts(PG, new Mount("volume", "shop_pgdata", "/backup", "local", PG.options()));
        List<String> e = errors(Map.of("relocator.dev/volume", "shop_pgdata"), w);
        assertEquals(List.of("labels[relocator.dev/target]: is needed: service shop_db mounts volume shop_pgdata 2 times "
                + "(at /var/lib/postgresql/data, /backup): set relocator.dev/target to the mount path Relocator protects, one of "
                + "/var/lib/postgresql/data, /backup"), e);
        RelocatableVolume rv = shorthand.require("shop_db", Map.of("relocator.dev/volume", "shop_pgdata", "relocator.dev/target", "/backup"), w);
        assertEquals("/backup", rv.spec().target());
        assertEquals("local", rv.spec().volume().driver());
    }

    @Test
    void aTargetLabelThatIsNotWhereTheVolumeIsMountedIsAnError() {
        List<String> e = errors(Map.of("relocator.dev/volume", "shop_pgdata", "relocator.dev/target", "/data"), mounts(PG));
        assertEquals(List.of("labels[relocator.dev/target]: is /data, but service shop_db mounts volume shop_pgdata at "
                + "/var/lib/postgresql/data: remove the label (the mount's target is used) or set it to /var/lib/postgresql/data"), e);
    }

    @Test
    void aTargetLabelWithoutAMountStillWorksAsBefore() {
        RelocatableVolume rv = shorthand.require("shop_db", Map.of("relocator.dev/volume", "shop_pgdata", "relocator.dev/driver", "local",
                "relocator.dev/volume-opt.type", "nfs", "relocator.dev/volume-opt.o", "addr=nas", "relocator.dev/volume-opt.device", ":/pg",
                "relocator.dev/target", "/data"), Workload.NONE);
        assertEquals("/data", rv.spec().target());
    }

    @Test
    void aPluginOnTheServicesOwnMountIsAllowedALabelledOneIsChecked() {
        Workload w = mounts(new Mount("volume", "shop_pgdata", "/data", "lab-nas", Map.of()));
        RelocatableVolume rv = shorthand.require("shop_db", Map.of("relocator.dev/volume", "shop_pgdata"), w);
        assertEquals("lab-nas", rv.spec().volume().driver(), "Swarm creates it with that plugin anyway");
        List<String> e = errors(Map.of("relocator.dev/volume", "shop_pgdata", "relocator.dev/driver", "evil/plugin"), w);
        assertTrue(e.get(0).startsWith("labels[relocator.dev/driver]: "), e::toString);
    }

    @Test
    void aBadValueFromTheMountIsReportedAtTheMount() {
        List<String> e = errors(Map.of("relocator.dev/volume", "shop_pgdata"), mounts(new Mount("volume", "shop_pgdata", "/data", "local",
                Map.of("type", "none", "o", "bind", "device", "/"))));
        assertEquals(1, e.size(), e::toString);
        assertTrue(e.get(0).startsWith("mounts[shop_pgdata].options.device: bind mount of the host's root file system"), e.get(0));
    }

    @Test
    void aServiceConstraintTheValidatorRefusesIsReportedAtTheConstraints() {
        List<String> e = errors(Map.of("relocator.dev/volume", "shop_pgdata"),
                new Workload(List.of(PG), List.of("node.role==worker", "node.role!=worker")));
        assertTrue(e.stream().allMatch(s -> s.startsWith("constraints[")), e::toString);
    }
}
