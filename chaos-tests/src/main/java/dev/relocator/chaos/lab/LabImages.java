package dev.relocator.chaos.lab;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the lab's images locally (no registry is reachable) and caches them by content: the tag
 * is a hash of the recipe, so a second run finds them. Image tarballs for {@code docker load}
 * inside the nodes are cached next to the Debian package cache.
 *
 * <p>Images are a cache, not run state: they carry {@value #LABEL_IMAGE} and are kept between runs.
 * {@code docker image rm $(docker images -q -f label=dev.relocator.lab.image)} drops them.
 */
public final class LabImages {

    public static final String LABEL_IMAGE = "dev.relocator.lab.image";
    public static final String LABEL_INPUTS = "dev.relocator.lab.inputs";
    public static final Path DEFAULT_CACHE = Path.of(System.getProperty("relocator.lab.cache", "/var/cache/relocator-lab"));

    private static final Logger LOG = LoggerFactory.getLogger(LabImages.class);
    private static final String BUSYBOX = "/bin/busybox";

    private final DockerClient docker;
    private final Path cache;

    public LabImages(DockerClient docker, Path cache) {
        this.docker = docker;
        this.cache = cache;
    }

    public Path tarballDir() {
        return cache.resolve("images");
    }

    /** A Swarm node: Debian with the Docker Engine, iptables (partitions), iproute2 and procps. */
    public static ImageRecipe nodeRecipe() {
        return new ImageRecipe("node", ImageRecipe.Base.DEBIAN,
                List.of("docker.io", "iptables", "iproute2", "procps"),
                Map.of("/usr/local/bin/lab-node-init", resource("lab/lab-node-init"),
                        "/usr/local/bin/lab-nas-driver", resource("lab/lab-nas-driver")),
                List.of("ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "CMD [\"/usr/local/bin/lab-node-init\"]"));
    }

    /** The base of the operator image: Debian with a Java 17 runtime. */
    public static ImageRecipe jreRecipe() {
        return new ImageRecipe("jre", ImageRecipe.Base.DEBIAN,
                List.of("openjdk-17-jre-headless"), Map.of(),
                List.of("ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    }

    /** The writer workload: static busybox plus the writer scripts. */
    public static ImageRecipe workloadRecipe() {
        return new ImageRecipe("workload", ImageRecipe.Base.BUSYBOX, List.of(),
                Map.of("/writer/writer.sh", resource("workload/writer.sh"),
                        "/writer/entrypoint.sh", resource("workload/entrypoint.sh")),
                List.of("ENV PATH=/bin", "CMD [\"/writer/entrypoint.sh\"]"));
    }

    /**
     * Prometheus from Debian's package, for the evaluation stack in the lab (no registry here; the
     * stack file's default is the public image, which has the same entrypoint and paths).
     */
    public static ImageRecipe prometheusRecipe() {
        return new ImageRecipe("prometheus", ImageRecipe.Base.DEBIAN, List.of("prometheus"), Map.of(),
                List.of("ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "ENTRYPOINT [\"/usr/bin/prometheus\"]",
                        "CMD [\"--config.file=/etc/prometheus/prometheus.yml\", \"--storage.tsdb.path=/prometheus\"]"));
    }

    public String nodeImage() {
        return ensure(nodeRecipe());
    }

    /** Built only when asked: it takes about 40 s and 500 MB the first time. */
    public String jreImage() {
        return ensure(jreRecipe());
    }

    public String workloadImage() {
        return ensure(workloadRecipe());
    }

    /** Returns the tag of the image for this recipe, building it first when no image has that tag. */
    @SuppressWarnings("try") // the lock is held for the body's duration, never referenced
    public String ensure(ImageRecipe recipe) {
        String extra = recipe.base() == ImageRecipe.Base.BUSYBOX ? sha256(Path.of(BUSYBOX)) : "";
        String tag = "relocator-lab/" + recipe.name() + ":" + recipe.inputsHash(extra);
        if (exists(tag)) {
            return tag;
        }
        try {
            Files.createDirectories(cache);
            try (FileChannel ch = FileChannel.open(cache.resolve(recipe.name() + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                if (exists(tag)) {
                    return tag;
                }
                long t0 = System.nanoTime();
                build(recipe, tag);
                LOG.info("built {} in {} s", tag, (System.nanoTime() - t0) / 1_000_000_000L);
                dropSuperseded(recipe.name(), tag);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build image " + tag, e);
        }
        return tag;
    }

    /** The tarball of an image for {@code docker load}, saved once per image id. */
    public Path tarball(String image) {
        String id;
        try {
            id = docker.inspectImageCmd(image).exec().getId().replace("sha256:", "");
        } catch (NotFoundException e) {
            throw new LabException("image " + image + " does not exist in the host engine; build it first", e);
        }
        Path dir = tarballDir();
        Path tar = dir.resolve(image.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + id.substring(0, 12) + ".tar");
        if (Files.isRegularFile(tar)) {
            return tar;
        }
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(tar.getFileName() + ".part" + ProcessHandle.current().pid());
            run(List.of("docker", "save", "-o", tmp.toString(), image), Path.of("."), 600);
            Files.move(tmp, tar, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            // tarballs of superseded builds of the same repository are dead weight
            String repo = image.contains(":") ? image.substring(0, image.lastIndexOf(':')) : image;
            String prefix = repo.replaceAll("[^A-Za-z0-9_.-]", "_") + "_";
            try (var old = Files.list(dir)) {
                for (Path p : old.filter(p -> p.getFileName().toString().startsWith(prefix) && !p.equals(tar)
                        && p.getFileName().toString().endsWith(".tar") && staleFile(p)).toList()) {
                    Files.deleteIfExists(p);
                }
            }
            return tar;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save " + image + " to " + tar, e);
        }
    }

    /**
     * Superseded images and tarballs younger than this stay: another checkout of the repository
     * (a second branch, a helper's worktree) may be running a lab with them right now, and removing
     * an image under a running lab start broke one (docs/chaos.md).
     */
    static final java.time.Duration SUPERSEDED_GRACE = java.time.Duration.ofHours(6);

    private java.time.Duration supersededGrace = SUPERSEDED_GRACE;

    /** For the test of the removal itself, which supersedes an image it built a second ago. */
    LabImages withSupersededGrace(java.time.Duration grace) {
        this.supersededGrace = grace;
        return this;
    }

    private boolean staleFile(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant().isBefore(java.time.Instant.now().minus(supersededGrace));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Removes older images of the same recipe (a changed input built a new tag), so the cache does
     * not grow by an image per change. An image still used by a container stays, and so does one
     * built within {@link #SUPERSEDED_GRACE}.
     */
    private void dropSuperseded(String name, String current) {
        long cutoff = java.time.Instant.now().minus(supersededGrace).getEpochSecond();
        for (var image : docker.listImagesCmd().withLabelFilter(Map.of(LABEL_IMAGE, name)).exec()) {
            String[] tags = image.getRepoTags() == null ? new String[0] : image.getRepoTags();
            if (java.util.Arrays.asList(tags).contains(current)
                    || (image.getCreated() != null && image.getCreated() > cutoff)) {
                continue;
            }
            try {
                docker.removeImageCmd(image.getId()).exec();
                LOG.info("removed superseded lab image {}", String.join(",", tags));
            } catch (RuntimeException e) {
                LOG.debug("kept {}: {}", String.join(",", tags), e.getMessage());
            }
        }
    }

    private boolean exists(String tag) {
        try {
            docker.inspectImageCmd(tag).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private void build(ImageRecipe recipe, String tag) throws IOException {
        Path root = cache.resolve("build-" + recipe.name() + "-" + ProcessHandle.current().pid());
        removeRoot(root);
        Files.createDirectories(root);
        try {
            if (recipe.base() == ImageRecipe.Base.DEBIAN) {
                Path debs = cache.resolve("debs");
                Files.createDirectories(debs);
                List<String> cmd = new ArrayList<>(List.of("debootstrap", "--variant=minbase", "--cache-dir=" + debs.toAbsolutePath()));
                if (!recipe.packages().isEmpty()) {
                    cmd.add("--include=" + String.join(",", recipe.packages()));
                }
                cmd.add(ImageRecipe.SUITE);
                cmd.add(root.toString());
                run(cmd, root.getParent(), 900);
                // package caches would only make every node image and docker load bigger
                run(List.of("sh", "-c", "rm -rf var/cache/apt/archives/*.deb var/lib/apt/lists/* usr/share/doc usr/share/man"), root, 60);
            } else {
                busyboxRoot(root);
            }
            for (Map.Entry<String, String> f : recipe.files().entrySet()) {
                Path p = root.resolve(f.getKey().substring(1));
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            List<String> imp = new ArrayList<>(List.of("docker", "import"));
            for (String c : recipe.changes()) {
                imp.add("--change");
                imp.add(c);
            }
            imp.add("--change");
            imp.add("LABEL " + LABEL_IMAGE + "=" + recipe.name() + " " + LABEL_INPUTS + "=" + tag.substring(tag.indexOf(':') + 1));
            imp.add("-");
            imp.add(tag);
            String importCmd = "tar -C " + root + " -c . | " + String.join(" ", imp.stream().map(LabImages::shellQuote).toList());
            run(List.of("bash", "-c", "set -o pipefail; " + importCmd), root.getParent(), 600);
        } finally {
            removeRoot(root);
        }
    }

    /** A debootstrap tree holds device nodes and root-owned files: rm -rf handles them, one filesystem only. */
    private static void removeRoot(Path root) {
        if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            run(List.of("rm", "-rf", "--one-file-system", root.toString()), root.getParent(), 300);
        }
    }

    private static void busyboxRoot(Path root) throws IOException {
        Path bin = root.resolve("bin");
        Files.createDirectories(bin);
        for (String d : List.of("tmp", "data", "acks", "etc", "proc", "sys", "dev")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(Path.of(BUSYBOX), bin.resolve("busybox"));
        Files.setPosixFilePermissions(bin.resolve("busybox"), PosixFilePermissions.fromString("rwxr-xr-x"));
        String list = run(List.of(BUSYBOX, "--list"), root, 30);
        for (String applet : list.split("\n")) {
            String a = applet.strip();
            if (!a.isEmpty() && !a.equals("busybox") && !a.contains("/")) {
                Path link = bin.resolve(a);
                if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, Path.of("busybox"));
                }
            }
        }
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
    }

    static String run(List<String> cmd, Path dir, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new LabException("timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd));
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                String tail = text.length() > 2000 ? text.substring(text.length() - 2000) : text;
                throw new LabException("command failed (" + p.exitValue() + "): " + String.join(" ", cmd) + "\n" + tail
                        + "\nscripts/setup-host.sh installs debootstrap, busybox-static and docker.io");
            }
            return text;
        } catch (IOException e) {
            throw new LabException("cannot run " + cmd.get(0) + " (" + e.getMessage() + "); scripts/setup-host.sh installs what the lab needs", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new LabException("cannot read " + file + "; scripts/setup-host.sh installs busybox-static", e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String resource(String name) {
        try (InputStream in = LabImages.class.getResourceAsStream("/dev/relocator/chaos/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
