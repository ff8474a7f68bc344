package dev.relocator.chaos.checker;

import dev.relocator.chaos.history.RunData;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Re-checks stored runs without re-running them.
 * <pre>java -cp ... dev.relocator.chaos.checker.Recheck chaos-tests/target/chaos-runs/&lt;scenario&gt;[/run-&lt;n&gt;] ...</pre>
 * A directory holding {@code history.jsonl} is one run; any other directory is searched for runs.
 * Exit code: 0 all valid, 1 some invalid, 2 some unknown (none invalid), 64 bad arguments.
 */
public final class Recheck {

    private Recheck() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    /** Checks every run found under the arguments; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        if (args.length == 0) {
            err.println("usage: Recheck <run-dir or directory of runs>...  (runs are written under chaos-tests/target/chaos-runs)");
            return 64;
        }
        List<Path> runs = new ArrayList<>();
        for (String a : args) {
            Path p = Path.of(a);
            if (!Files.isDirectory(p)) {
                err.println("not a directory: " + p + " (pass a run directory that contains " + RunData.HISTORY_FILE + ")");
                return 64;
            }
            try (Stream<Path> s = Files.walk(p)) {
                s.filter(f -> f.getFileName().toString().equals(RunData.HISTORY_FILE)).map(Path::getParent).sorted().forEach(runs::add);
            }
        }
        if (runs.isEmpty()) {
            err.println("no " + RunData.HISTORY_FILE + " found under " + String.join(", ", args));
            return 64;
        }
        Verdict all = Verdict.VALID;
        for (Path run : runs) {
            RunData data = RunData.load(run);
            CheckResult r = Checker.forRun(data).check(data);
            all = all.and(r.verdict());
            out.println(r.verdict() + "  " + run);
            out.println("    " + r.summary());
        }
        return all == Verdict.VALID ? 0 : all == Verdict.INVALID ? 1 : 2;
    }
}
