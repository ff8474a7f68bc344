package dev.relocator.crd.model;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Immutable copies with a stable order, so equal resources serialise identically. */
final class Collections2 {

    private Collections2() {
    }

    static Map<String, String> sortedMap(Map<String, String> m) {
        return m == null || m.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(m));
    }

    static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : List.copyOf(l);
    }
}
