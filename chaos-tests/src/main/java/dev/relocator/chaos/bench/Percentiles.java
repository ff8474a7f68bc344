package dev.relocator.chaos.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nearest-rank percentiles of a sample (no interpolation: every figure reported is a value that was
 * measured). With 20 samples p99 is the maximum; the report says how many samples there were.
 */
public final class Percentiles {

    private Percentiles() {
    }

    /** The nearest-rank {@code p}-th percentile, {@code 0 < p <= 100}, of a non-empty sample. */
    public static double of(List<? extends Number> sample, double p) {
        if (sample.isEmpty()) {
            throw new IllegalArgumentException("no sample to take a percentile of");
        }
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        }
        List<Double> s = sorted(sample);
        int rank = (int) Math.ceil(p / 100.0 * s.size());
        return s.get(Math.max(rank, 1) - 1);
    }

    /** The median: the mean of the two middle values for an even count. */
    public static double median(List<? extends Number> sample) {
        if (sample.isEmpty()) {
            throw new IllegalArgumentException("no sample to take a median of");
        }
        List<Double> s = sorted(sample);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2.0;
    }

    /** n, min, p50 (median), p90, p99, max; empty map for an empty sample. */
    public static Map<String, Object> summary(List<? extends Number> sample) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", sample.size());
        if (sample.isEmpty()) {
            return m;
        }
        List<Double> s = sorted(sample);
        m.put("min", s.get(0));
        m.put("p50", median(s));
        m.put("p90", of(s, 90));
        m.put("p99", of(s, 99));
        m.put("max", s.get(s.size() - 1));
        return m;
    }

    private static List<Double> sorted(List<? extends Number> sample) {
        List<Double> s = new ArrayList<>(sample.size());
        sample.forEach(x -> s.add(x.doubleValue()));
        Collections.sort(s);
        return s;
    }
}
