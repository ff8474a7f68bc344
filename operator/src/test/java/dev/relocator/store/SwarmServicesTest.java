package dev.relocator.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relocator.crd.labels.LabelShorthand;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The task template as the Engine API returns it, to what the shorthand derives from. */
class SwarmServicesTest {

    @Test
    void mountsAndConstraintsAreReadAsTheEngineSpellsThem() throws Exception {
        var template = new ObjectMapper().readTree("""
                {"ContainerSpec":{"Image":"x","Mounts":[
                   {"Type":"bind","Source":"/run/relocator","Target":"/run/relocator","ReadOnly":true},
                   {"Type":"volume","Source":"shop_pgdata","Target":"/var/lib/postgresql/data",
                    "VolumeOptions":{"DriverConfig":{"Name":"local","Options":{"type":"nfs","device":":/pg"}}}},
                   {"Type":"volume","Source":"cache","Target":"/cache"}]},
                 "Placement":{"Constraints":["node.role==worker","node.id==abc"]}}
                """);
        LabelShorthand.Workload w = SwarmServices.workload(template);
        assertEquals(List.of(
                new LabelShorthand.Mount("bind", "/run/relocator", "/run/relocator", "", Map.of()),
                new LabelShorthand.Mount("volume", "shop_pgdata", "/var/lib/postgresql/data", "local", Map.of("type", "nfs", "device", ":/pg")),
                new LabelShorthand.Mount("volume", "cache", "/cache", "", Map.of())), w.mounts());
        assertEquals(List.of("node.role==worker", "node.id==abc"), w.constraints());
        assertEquals(LabelShorthand.Workload.NONE, SwarmServices.workload(new ObjectMapper().readTree("{}")));
    }
}
