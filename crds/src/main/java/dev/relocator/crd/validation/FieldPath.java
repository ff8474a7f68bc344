package dev.relocator.crd.validation;

import java.util.regex.Pattern;

/** Builds field paths in the notation Kubernetes uses in validation errors. */
public final class FieldPath {

    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");

    private FieldPath() {
    }

    /** A property of an object with a fixed schema: {@code parent.name}. */
    public static String child(String parent, String name) {
        return parent.isEmpty() ? name : parent + "." + name;
    }

    /** An entry of a free-form map: {@code parent.key}, or {@code parent[key]} when the key has dots or slashes. */
    public static String key(String parent, String key) {
        if (PLAIN_KEY.matcher(key).matches()) {
            return child(parent, key);
        }
        return parent + "[" + key + "]";
    }

    /** An element of a list: {@code parent[i]}. */
    public static String index(String parent, int i) {
        return parent + "[" + i + "]";
    }
}
