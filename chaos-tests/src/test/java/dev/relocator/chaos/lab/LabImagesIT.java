package dev.relocator.chaos.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabImagesIT {

    private final DockerClient docker = SwarmLab.engine();
    private final LabImages images = new LabImages(docker, LabImages.DEFAULT_CACHE);

    @Test
    void imagesAreCachedByTheHashOfTheirInputs() {
        String first = images.workloadImage();
        String again = images.workloadImage();
        assertEquals(first, again, "an unchanged recipe reuses its image");
        Map<String, String> labels = docker.inspectImageCmd(first).exec().getConfig().getLabels();
        assertEquals(first.substring(first.indexOf(':') + 1), labels.get(LabImages.LABEL_INPUTS));

        ImageRecipe base = LabImages.workloadRecipe();
        ImageRecipe changed = new ImageRecipe(base.name(), base.base(), base.packages(),
                Map.of("/writer/writer.sh", "#!/bin/sh\necho changed\n"), base.changes());
        assertNotEquals(base.inputsHash("x"), changed.inputsHash("x"), "a changed input changes the tag");
    }

    @Test
    void theJavaRuntimeImageIsBuiltOnlyWhenAskedAndRunsJava() {
        String jre = images.jreImage();
        assertTrue(jre.startsWith("relocator-lab/jre:"), jre);
        String id = docker.createContainerCmd(jre).withCmd(List.of("java", "-version"))
                .withLabels(Map.of(LabCleanup.LABEL_RUN, "images-it", LabCleanup.LABEL_PID, LabCleanup.owner()))
                .exec().getId();
        try {
            docker.startContainerCmd(id).exec();
            Integer code = docker.waitContainerCmd(id).start().awaitStatusCode();
            assertEquals(0, code, "java -version in " + jre);
        } finally {
            docker.removeContainerCmd(id).withForce(true).exec();
        }
    }
}
