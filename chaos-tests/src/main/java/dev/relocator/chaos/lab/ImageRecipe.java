package dev.relocator.chaos.lab;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a lab image is made of. The image tag carries a hash of these inputs, so an unchanged
 * recipe finds its image already built and a changed one builds a new image.
 *
 * @param name      short name, the image repository is {@code relocator-lab/<name>}
 * @param base      {@link Base#DEBIAN} (debootstrap minbase bookworm plus {@code packages}) or
 *                  {@link Base#BUSYBOX} (the host's static busybox and its applet links)
 * @param packages  Debian packages to include (DEBIAN only)
 * @param files     files to add: absolute path in the image → content; all are made executable
 * @param changes   Dockerfile instructions given to {@code docker import --change}
 */
public record ImageRecipe(String name, Base base, List<String> packages, Map<String, String> files, List<String> changes) {

    /** Bump when the build procedure itself changes, so old cached images are not reused. */
    static final String BUILDER_VERSION = "1";
    static final String SUITE = "bookworm";

    public enum Base { DEBIAN, BUSYBOX }

    public ImageRecipe {
        packages = List.copyOf(packages);
        files = Map.copyOf(files);
        changes = List.copyOf(changes);
    }

    /** Hash of every input; {@code extra} carries inputs outside the recipe (the busybox binary's hash). */
    public String inputsHash(String extra) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            StringBuilder s = new StringBuilder();
            s.append("builder=").append(BUILDER_VERSION).append('\n')
                    .append("suite=").append(SUITE).append('\n')
                    .append("name=").append(name).append('\n')
                    .append("base=").append(base).append('\n')
                    .append("packages=").append(String.join(",", packages)).append('\n')
                    .append("changes=").append(String.join("\u0000", changes)).append('\n')
                    .append("extra=").append(extra).append('\n');
            new TreeMap<>(files).forEach((k, v) -> s.append("file=").append(k).append('\u0000').append(v).append('\u0000'));
            return HexFormat.of().formatHex(d.digest(s.toString().getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
