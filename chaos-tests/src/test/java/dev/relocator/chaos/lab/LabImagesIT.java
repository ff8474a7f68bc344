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
    void aNewBuildOfARecipeRemovesTheSupersededImageAndTarball() throws Exception {
        ImageRecipe v1 = new ImageRecipe("selftest", ImageRecipe.Base.BUSYBOX, List.of(),
                Map.of("/version", "1\n" + System.nanoTime()), List.of());
        ImageRecipe v2 = new ImageRecipe("selftest", ImageRecipe.Base.BUSYBOX, List.of(),
                Map.of("/version", "2\n" + System.nanoTime()), List.of());
        // no grace: this test supersedes an image it built a second ago (others keep theirs for hours)
        LabImages images = new LabImages(docker, LabImages.DEFAULT_CACHE).withSupersededGrace(java.time.Duration.ZERO);
        String first = images.ensure(v1);
        java.nio.file.Path firstTar = images.tarball(first);
        String second = images.ensure(v2);
        java.nio.file.Path secondTar = images.tarball(second);
        try {
            assertNotEquals(first, second);
            assertTrue(docker.listImagesCmd().withImageNameFilter(first).exec().isEmpty(), "superseded image removed");
            assertTrue(java.nio.file.Files.notExists(firstTar), "superseded tarball removed");
            assertTrue(java.nio.file.Files.exists(secondTar));
        } finally {
            docker.removeImageCmd(second).withForce(true).exec();
            java.nio.file.Files.deleteIfExists(secondTar);
        }
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
