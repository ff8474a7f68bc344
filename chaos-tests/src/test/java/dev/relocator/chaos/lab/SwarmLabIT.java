package dev.relocator.chaos.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class SwarmLabIT {

    @Test
    void bringsUpASwarmAndRemovesEverythingOnClose() throws Exception {
        SwarmLab lab = SwarmLab.start(SwarmLab.Spec.defaults());
        String runId = lab.runId();
        try {
            assertEquals(3, lab.readyNodes().size(), "all nodes Ready");
            System.out.println("LAB TIMINGS " + lab.timings());
            Files.writeString(lab.sharedDir().resolve("probe"), "x");
            assertEquals("x", lab.exec("w2", "cat", SwarmLab.SHARED_PATH + "/probe").orThrow("cat").stdout());
            assertTrue(lab.docker("w1", "image", "ls").stdout().contains("relocator-lab/workload"));
        } finally {
            lab.close();
        }
        var docker = SwarmLab.engine();
        assertTrue(docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(java.util.Map.of(LabCleanup.LABEL_RUN, runId)).exec().isEmpty());
        assertTrue(Files.notExists(SwarmLab.RUNS_ROOT.resolve(runId)));
    }
}
