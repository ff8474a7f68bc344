package dev.relocator.testkit.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A tiny workload image built locally from Debian's static busybox (no registry is
 * reachable): {@code FROM scratch}, the binary, and its applet links made by busybox itself.
 * Built once per engine and kept (it is labelled, and cheap to rebuild).
 */
public final class TestImage {

    public static final String NAME = "relocator-testkit/busybox:1";
    private static final Path BUSYBOX = Path.of("/bin/busybox");

    private TestImage() {
    }

    public static synchronized String ensure(DockerClient docker) {
        try {
            docker.inspectImageCmd(NAME).exec();
            return NAME;
        } catch (NotFoundException e) {
            // build below
        }
        if (!Files.isExecutable(BUSYBOX)) {
            throw new AssertionError("no static busybox at " + BUSYBOX + " to build the test image; " + DockerEngine.SETUP_HINT
                    + " (it installs busybox-static)");
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("relocator-testimage");
            Files.copy(BUSYBOX, dir.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
            Files.writeString(dir.resolve("Dockerfile"), String.join("\n",
                    "FROM scratch",
                    "COPY busybox /bin/busybox",
                    "RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]",
                    "ENV PATH=/bin",
                    "CMD [\"sh\"]",
                    ""));
            String id = docker.buildImageCmd(dir.toFile())
                    .withTags(Set.of(NAME))
                    .withLabels(Map.of(TestLabels.KEY, "true"))
                    .withPull(false)
                    .withRemove(true)
                    .exec(new BuildImageResultCallback())
                    .awaitImageId(120, TimeUnit.SECONDS);
            if (id == null) {
                throw new AssertionError("building " + NAME + " returned no image id");
            }
            return NAME;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the build context for " + NAME, e);
        } finally {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp directory; the OS cleans it eventually
        }
    }
}
