package dev.relocator.chaos.generator;

import dev.relocator.chaos.nemesis.Nemesis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded schedule of waits and faults: the same seed gives the same schedule, so a failing run
 * can be replayed by its seed (the seed is written into the run's history).
 */
public final class Generator {

    /** Faults the generator knows how to schedule; the runner knows how to inject and heal each. */
    public static final Set<String> FAULTS = Set.of(Nemesis.CRASH, Nemesis.PARTITION, Nemesis.BLIP, Nemesis.FREEZE,
            Nemesis.DOCKERD_RESTART, Nemesis.KILL_WORKLOAD);

    public record Options(List<String> faults, int count, Duration minWait, Duration maxWait, Duration minHold, Duration maxHold,
                          Duration blipMax) {
        public Options {
            if (faults.isEmpty() || count < 0) {
                throw new IllegalArgumentException("a schedule needs at least one fault kind and a count >= 0");
            }
            for (String f : faults) {
                if (!FAULTS.contains(f)) {
                    throw new IllegalArgumentException("unknown fault '" + f + "'; known faults: " + FAULTS);
                }
            }
            if (minWait.compareTo(maxWait) > 0 || minHold.compareTo(maxHold) > 0) {
                throw new IllegalArgumentException("min must not exceed max: wait " + minWait + ".." + maxWait + ", hold " + minHold + ".." + maxHold);
            }
            faults = List.copyOf(faults);
        }
    }

    private Generator() {
    }

    public static List<Step> schedule(long seed, Options o) {
        Random r = new Random(seed);
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < o.count(); i++) {
            steps.add(new Step.Wait(between(r, o.minWait(), o.maxWait())));
            String fault = o.faults().get(r.nextInt(o.faults().size()));
            String target = r.nextInt(4) == 0 ? Step.Inject.OTHER_WORKER : Step.Inject.WRITER_NODE;
            Duration hold = switch (fault) {
                case Nemesis.BLIP -> between(r, Duration.ofMillis(500), o.blipMax());
                case Nemesis.KILL_WORKLOAD, Nemesis.DOCKERD_RESTART -> Duration.ZERO;
                default -> between(r, o.minHold(), o.maxHold());
            };
            // under plain Swarm only a writer that is lost for longer than the down-detection moves
            boolean moves = target.equals(Step.Inject.WRITER_NODE)
                    && (fault.equals(Nemesis.CRASH) || fault.equals(Nemesis.PARTITION) || fault.equals(Nemesis.FREEZE))
                    && hold.compareTo(Duration.ofSeconds(15)) > 0;
            steps.add(new Step.Inject(fault, target, hold, moves));
        }
        steps.add(new Step.Wait(between(r, o.minWait(), o.maxWait())));
        return steps;
    }

    private static Duration between(Random r, Duration min, Duration max) {
        long span = max.toMillis() - min.toMillis();
        return Duration.ofMillis(min.toMillis() + (span <= 0 ? 0 : (long) (r.nextDouble() * span)));
    }
}
