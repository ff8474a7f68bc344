package dev.relocator.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** relocatorctl without a server: usage errors, an unreachable server, help, completion, local validation. */
class RelocatorCtlTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = RelocatorCtl.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    /** A loopback port nobody listens on (bound, then released). */
    static String deadServer() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void helpShowsExamplesAndExitCodes() {
        Run r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("Examples:") && r.out().contains("relocatorctl apply -f pgdata.yaml"), r.out());
        assertTrue(r.out().contains("6   server unreachable") && r.out().contains("RELOCATOR_SERVER"), r.out());
        Run sub = run("relocate", "--help");
        assertEquals(0, sub.code());
        assertTrue(sub.out().contains("--to=NODE"), sub.out());
    }

    @Test
    void usageErrorsExitOne() {
        Run unknown = run("get", "--colour");
        assertEquals(ExitCode.USAGE, unknown.code());
        assertTrue(unknown.err().contains("--colour") && unknown.err().contains("relocatorctl get --help"), unknown.err());
        assertEquals(ExitCode.USAGE, run("relocate", "pgdata").code(), "--to is required");
        assertEquals(ExitCode.USAGE, run("get", "-o", "xml").code());
        Run badServer = run("get", "--server", "not a url");
        assertEquals(ExitCode.USAGE, badServer.code());
        assertTrue(badServer.err().contains("is not a URL like http://127.0.0.1:9494"), badServer.err());
        assertEquals(ExitCode.USAGE, run("apply", "-f", "/nonexistent/file.yaml", "--server", "http://127.0.0.1:1").code());
    }

    @Test
    void anUnreachableServerIsNamedWithTheFix() throws IOException {
        String server = deadServer();
        Run r = run("get", "--server", server);
        assertEquals(ExitCode.UNREACHABLE, r.code());
        assertTrue(r.err().contains("cannot reach the Relocator API at " + server), r.err());
        assertTrue(r.err().contains("RELOCATOR_SERVER"), r.err());
    }

    @Test
    void anUnreachableKafkaIsNamedWithTheFix() throws IOException {
        String bootstrap = deadServer().substring("http://".length());
        Run r = run("watch", "--kafka", bootstrap, "--request-timeout", "2");
        assertEquals(ExitCode.UNREACHABLE, r.code(), r.err());
        assertTrue(r.err().contains("Kafka at " + bootstrap) && r.err().contains("RELOCATOR_KAFKA"), r.err());
        assertEquals(ExitCode.USAGE, run("watch", "--volume", "pgdata", "--server", deadServer()).code(), "Kafka filters need --kafka");
    }

    @Test
    void anInvalidFileIsRefusedLocallyEvenWithoutAServer(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, """
                apiVersion: relocator.dev/v1alpha1
                kind: RelocatableVolume
                metadata: {name: pgdata}
                spec:
                  service: shop_db
                  volume: {name: pgdata, driver: local, options: {type: none, o: bind, device: /}}
                  target: /data
                  fencing: {leaseSeconds: -1}
                """);
        Run r = run("apply", "-f", f.toString(), "--server", deadServer());
        assertEquals(ExitCode.INVALID, r.code(), r.err());
        assertTrue(r.err().contains("nothing applied"), r.err());
        assertTrue(r.err().contains("spec.fencing.leaseSeconds") && r.err().contains("spec.volume.options.device"), r.err());
        Path garbage = dir.resolve("garbage.yaml");
        Files.writeString(garbage, "a: [unclosed");
        assertEquals(ExitCode.INVALID, run("apply", "-f", garbage.toString(), "--server", deadServer()).code());
    }

    @Test
    void completionPrintsABashScript() {
        Run r = run("completion");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("complete -F") && r.out().contains("relocate") && r.out().contains("drain"), r.out());
    }
}
