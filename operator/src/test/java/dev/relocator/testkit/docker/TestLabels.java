package dev.relocator.testkit.docker;

import java.util.Map;
import java.util.UUID;

/**
 * Everything a test creates in Docker carries {@link #KEY}, plus the run id, and is removed by
 * it; tests never touch objects without these labels (other engineers share the engine).
 */
public final class TestLabels {

    public static final String KEY = "dev.relocator.testkit";
    public static final String RUN = "dev.relocator.test-run";

    private TestLabels() {
    }

    public static String newRunId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    public static Map<String, String> forRun(String runId) {
        return Map.of(KEY, "true", RUN, runId);
    }
}
