package dev.relocator.crd.validation;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean" for misspelt field names and enum values. */
public final class Suggest {

    private Suggest() {
    }

    /**
     * The candidate closest to {@code input} when it is close enough to be a likely typo
     * (edit distance at most a third of the length, case ignored), otherwise empty.
     */
    public static Optional<String> closest(String input, Collection<String> candidates) {
        if (input == null || input.length() > 256) {
            return Optional.empty();
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(input.toLowerCase(), c.toLowerCase());
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        if (best == null || bestDistance > Math.max(1, best.length() / 3) || best.equals(input)) {
            return Optional.empty();
        }
        return Optional.of(best);
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
