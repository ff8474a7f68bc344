package dev.relocator.chaos.workload;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The writer's record times come from busybox {@code adjtimex}, whose {@code tv_usec} field holds
 * nanoseconds when the kernel clock is in STA_NANO mode. A wrong unit gives 5- or 6-digit
 * millisecond fields, times that jump by years, and a checker that reports nonsense. Runs the
 * writer's own {@code now_ms} function with the host's busybox-static (same kernel clock as the
 * lab nodes) and compares it with the JVM's clock.
 */
class WriterClockTest {

    @Test
    void nowMsIsTheWallClockInMilliseconds() throws Exception {
        Path busybox = Path.of("/bin/busybox");
        assertTrue(Files.isExecutable(busybox), "busybox-static is missing: run scripts/setup-host.sh");
        String function = nowMsFunction();
        for (int i = 0; i < 20; i++) {
            long before = System.currentTimeMillis();
            long measured = Long.parseLong(run(busybox, function + "\nnow_ms").trim());
            long after = System.currentTimeMillis();
            assertTrue(measured >= before - 50 && measured <= after + 50,
                    "now_ms gave " + measured + ", the JVM's clock was between " + before + " and " + after);
        }
    }

    private static String nowMsFunction() throws IOException {
        try (InputStream in = WriterClockTest.class.getResourceAsStream("/dev/relocator/chaos/workload/writer.sh")) {
            String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("(?ms)^now_ms\\(\\) \\{.*?^\\}").matcher(script);
            assertTrue(m.find(), "writer.sh defines now_ms()");
            // the nodes run busybox applets by name; on the host call them through busybox
            return "adjtimex() { /bin/busybox adjtimex \"$@\"; }\nawk() { /bin/busybox awk \"$@\"; }\n" + m.group();
        }
    }

    private static String run(Path busybox, String script) throws Exception {
        Process p = new ProcessBuilder(busybox.toString(), "sh", "-c", script).redirectErrorStream(true).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "busybox sh did not finish");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
