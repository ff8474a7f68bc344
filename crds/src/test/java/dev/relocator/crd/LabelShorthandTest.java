package dev.relocator.crd;

import dev.relocator.crd.labels.LabelShorthand;
import dev.relocator.crd.model.RelocatableVolume;
import dev.relocator.crd.validation.FieldError;
import dev.relocator.crd.validation.ResourceValidator;
import dev.relocator.crd.validation.ValidationException;
import dev.relocator.crd.validation.ValidationOptions;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelShorthandTest {

    private final ResourceLoader loader = new ResourceLoader(ValidationOptions.defaults());
    private final LabelShorthand shorthand = new LabelShorthand(loader.validator());

    /** DESIGN §3's example, written both ways. */
    @Test
    void designExampleIsTheSameResourceInBothForms() {
        RelocatableVolume yaml = loader.loadOne("""
                apiVersion: relocator.dev/v1alpha1
                kind: RelocatableVolume
                metadata: { name: pgdata }
                spec:
                  service: shop_db
                  volume: { name: pgdata, driver: local, options: { type: nfs, o: "addr=nas,rw", device: ":/pg" } }
                  target: /var/lib/postgresql/data
                  ownership: { uid: 999, gid: 999, mode: "0700" }
                  mountOptions: { nosuid: true, nodev: true }
                  fencing: { leaseSeconds: 4, external: none }
                  placement: { constraints: ["node.labels.zone==a"] }
                """);
        Map<String, String> labels = Map.of(
                "relocator.dev/volume", "pgdata",
                "relocator.dev/driver", "local",
                "relocator.dev/volume-opt.type", "nfs",
                "relocator.dev/volume-opt.o", "addr=nas,rw",
                "relocator.dev/volume-opt.device", ":/pg",
                "relocator.dev/target", "/var/lib/postgresql/data",
                "relocator.dev/uid", "999",
                "relocator.dev/gid", "999",
                "relocator.dev/mode", "0700",
                "relocator.dev/constraints", "node.labels.zone==a");
        assertEquals(yaml, shorthand.require("shop_db", labels));
        Map<String, String> more = new HashMap<>(labels);
        more.put("relocator.dev/lease-seconds", "4");
        more.put("com.docker.stack.namespace", "shop"); // other tools' labels are ignored
        assertEquals(yaml, shorthand.require("shop_db", more));
    }

    @Test
    void everyLabelReachesItsField() {
        RelocatableVolume yaml = loader.loadOne("""
                apiVersion: relocator.dev/v1alpha1
                kind: RelocatableVolume
                metadata:
                  name: ledger
                  annotations: { relocator.dev/allow-insecure-mount: "true" }
                spec:
                  service: payments_ledger
                  volume: { name: payments_ledger-data, driver: local, options: { type: none, o: bind, device: /srv/shared/ledger } }
                  target: /srv/ledger
                  ownership: { uid: 1000, gid: 1001, mode: "2770" }
                  mountOptions: { nosuid: false, nodev: true }
                  fencing: { leaseSeconds: 10, heartbeatSeconds: 2, external: command,
                             command: [/usr/local/sbin/fence-ipmi, --off], timeoutSeconds: 45 }
                  placement: { constraints: ["node.labels.fence==ipmi", "node.role==worker"] }
                  policy: { onTaskFailure: relocate, maxRestarts: 1 }
                  paused: true
                """);
        Map<String, String> labels = new HashMap<>();
        labels.put("relocator.dev/volume", "payments_ledger-data");
        labels.put("relocator.dev/name", "ledger");
        labels.put("relocator.dev/driver", "local");
        labels.put("relocator.dev/volume-opt.type", "none");
        labels.put("relocator.dev/volume-opt.o", "bind");
        labels.put("relocator.dev/volume-opt.device", "/srv/shared/ledger");
        labels.put("relocator.dev/target", "/srv/ledger");
        labels.put("relocator.dev/uid", "1000");
        labels.put("relocator.dev/gid", "1001");
        labels.put("relocator.dev/mode", "2770");
        labels.put("relocator.dev/nosuid", "false");
        labels.put("relocator.dev/nodev", "true");
        labels.put("relocator.dev/allow-insecure-mount", "true");
        labels.put("relocator.dev/lease-seconds", "10");
        labels.put("relocator.dev/heartbeat-seconds", "2");
        labels.put("relocator.dev/fence", "command");
        labels.put("relocator.dev/fence-command", "[\"/usr/local/sbin/fence-ipmi\", \"--off\"]");
        labels.put("relocator.dev/fence-timeout-seconds", "45");
        labels.put("relocator.dev/constraints", "node.labels.fence==ipmi; node.role==worker");
        labels.put("relocator.dev/on-task-failure", "relocate");
        labels.put("relocator.dev/max-restarts", "1");
        labels.put("relocator.dev/paused", "true");
        assertEquals(yaml, shorthand.require("payments_ledger", labels));
        // every documented label but the generic volume-opt family appears above
        assertEquals(LabelShorthand.fields().size() - 2, labels.size() - 3);
    }

    @Test
    void nameDefaultsToTheVolumeAsADnsLabel() {
        RelocatableVolume rv = shorthand.require("shop_db", Map.of(
                "relocator.dev/volume", "shop_pgdata", "relocator.dev/driver", "local",
                "relocator.dev/volume-opt.type", "nfs", "relocator.dev/volume-opt.o", "addr=nas",
                "relocator.dev/volume-opt.device", ":/pg", "relocator.dev/target", "/data"));
        assertEquals("shop-pgdata", rv.name());
        assertEquals("shop_pgdata", rv.spec().volume().name());
    }

    @Test
    void fenceCommandWithoutArgumentsIsOnePath() {
        RelocatableVolume rv = shorthand.require("s", Map.of(
                "relocator.dev/volume", "vol", "relocator.dev/driver", "local",
                "relocator.dev/volume-opt.type", "nfs", "relocator.dev/volume-opt.o", "addr=nas",
                "relocator.dev/volume-opt.device", ":/pg", "relocator.dev/target", "/data",
                "relocator.dev/fence", "command", "relocator.dev/fence-command", "/usr/local/bin/fence"));
        assertEquals(List.of("/usr/local/bin/fence"), rv.spec().fencing().command());
    }

    @Test
    void errorsPointAtTheLabelThatCausedThem() {
        Map<String, String> labels = new HashMap<>();
        labels.put("relocator.dev/volume", "pgdata");
        labels.put("relocator.dev/driver", "local");
        labels.put("relocator.dev/volume-opt.type", "none");
        labels.put("relocator.dev/volume-opt.o", "bind");
        labels.put("relocator.dev/volume-opt.device", "/");
        labels.put("relocator.dev/target", "/data");
        labels.put("relocator.dev/uid", "abc");
        labels.put("relocator.dev/lease-seconds", "1");
        labels.put("relocator.dev/leese-seconds", "4");
        labels.put("relocator.dev/constraints", "node.hostname==a;node.hostname!=a");
        labels.put("relocator.dev/fence-command", "[\"/bin/x\"");
        ResourceValidator.Result r = shorthand.parse("shop_db", labels);
        assertFalse(r.valid());
        List<String> got = r.errors().stream().map(e -> e.field() + " | " + e.problem()).sorted().toList();
        assertEquals(List.of(
                "labels[relocator.dev/constraints] | \"node.hostname!=a\" contradicts spec.placement.constraints[0] (\"node.hostname==a\"): no node satisfies both",
                "labels[relocator.dev/fence-command] | must be an array, got string \"[\"/bin/x\"\"",
                "labels[relocator.dev/lease-seconds] | must be ≥ 2, got 1",
                "labels[relocator.dev/leese-seconds] | unknown Relocator label",
                "labels[relocator.dev/uid] | must be an integer, got string \"abc\"",
                "labels[relocator.dev/volume-opt.device] | bind mount of the host's root file system (\"/\") would hand the workload control of the host"),
                got);
        FieldError typo = r.errors().stream().filter(e -> e.field().contains("leese")).findFirst().orElseThrow();
        assertTrue(typo.fix().startsWith("did you mean relocator.dev/lease-seconds?"), typo.fix());
    }

    @Test
    void missingVolumeLabelAndBadServiceName() {
        ValidationException e = assertThrows(ValidationException.class, () -> shorthand.require("-x", Map.of("relocator.dev/driver", "local")));
        List<String> fields = e.errors().stream().map(FieldError::field).sorted().toList();
        assertTrue(fields.contains("labels[relocator.dev/volume]"), fields.toString());
        assertTrue(fields.contains("spec.service"), fields.toString());
        assertTrue(fields.contains("labels[relocator.dev/target]"), fields.toString());
    }

    @Test
    void optInIsTheVolumeLabel() {
        assertTrue(LabelShorthand.optsIn(Map.of("relocator.dev/volume", "x")));
        assertFalse(LabelShorthand.optsIn(Map.of("relocator.dev/driver", "local")));
    }
}
