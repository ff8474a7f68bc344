package dev.relocator.chaos.checker;

import dev.relocator.chaos.history.RunData;
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
        if (args.length == 0) {
            System.err.println("usage: Recheck <run-dir or directory of runs>...  (runs are written under chaos-tests/target/chaos-runs)");
            System.exit(64);
        }
        List<Path> runs = new ArrayList<>();
        for (String a : args) {
            Path p = Path.of(a);
            if (!Files.isDirectory(p)) {
                System.err.println("not a directory: " + p + " (pass a run directory that contains " + RunData.HISTORY_FILE + ")");
                System.exit(64);
            }
            try (Stream<Path> s = Files.walk(p)) {
                s.filter(f -> f.getFileName().toString().equals(RunData.HISTORY_FILE)).map(Path::getParent).sorted().forEach(runs::add);
            }
        }
        if (runs.isEmpty()) {
            System.err.println("no " + RunData.HISTORY_FILE + " found under " + String.join(", ", args));
            System.exit(64);
        }
        Verdict all = Verdict.VALID;
        Checker checker = Checker.defaults();
        for (Path run : runs) {
            CheckResult r = checker.check(RunData.load(run));
            all = all.and(r.verdict());
            System.out.println(r.verdict() + "  " + run);
            System.out.println("    " + r.summary());
        }
        System.exit(all == Verdict.VALID ? 0 : all == Verdict.INVALID ? 1 : 2);
    }
}
