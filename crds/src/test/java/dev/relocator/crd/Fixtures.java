package dev.relocator.crd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.function.Consumer;

/** A valid resource to break in one place per test. */
final class Fixtures {

    static final String BASE = """
            apiVersion: relocator.dev/v1alpha1
            kind: RelocatableVolume
            metadata:
              name: pgdata
            spec:
              service: shop_db
              volume:
                name: pgdata
                driver: local
                options: {type: nfs, o: "addr=nas,rw", device: ":/pg"}
              target: /var/lib/postgresql/data
              ownership: {uid: 999, gid: 999, mode: "0700"}
            """;

    private static final YAMLMapper YAML = new YAMLMapper();

    private Fixtures() {
    }

    static ObjectNode base() {
        try {
            return (ObjectNode) YAML.readTree(BASE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base resource with one change, written back as YAML. */
    static String with(Consumer<ObjectNode> change) {
        ObjectNode n = base();
        change.accept(n);
        try {
            return YAML.writeValueAsString(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The RelocatableVolume examples in crds/examples (the directory also holds a RelocatorConfig). */
    static List<Path> volumeExamples() {
        try (Stream<Path> s = Files.list(Path.of("examples"))) {
            List<Path> out = new ArrayList<>();
            for (Path p : s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                if (Files.readString(p).contains("\nkind: RelocatableVolume\n")) {
                    out.add(p);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode spec(ObjectNode rv) {
        return (ObjectNode) rv.get("spec");
    }

    static ObjectNode fencing(ObjectNode rv) {
        return spec(rv).withObjectProperty("fencing");
    }
}
