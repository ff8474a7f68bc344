package dev.relocator.core.controller;

import dev.relocator.core.model.NodeInfo;

import java.util.List;
import java.util.Map;

/**
 * Swarm placement constraints the target selection honours: {@code node.id}, {@code node.hostname},
 * {@code node.role} and {@code node.labels.KEY}, with {@code ==} and {@code !=}. An expression it
 * cannot read is rejected when the spec is accepted, never silently ignored (a target that breaks
 * a constraint would leave the task pending forever).
 */
public final class Placement {

    private Placement() {
    }

    public static boolean matches(NodeInfo node, List<String> constraints) {
        for (String c : constraints) {
            if (!matches(node, c)) {
                return false;
            }
        }
        return true;
    }

    /** @throws IllegalArgumentException naming the expression and the supported forms */
    public static void validate(String constraint) {
        parse(constraint);
    }

    static boolean matches(NodeInfo node, String constraint) {
        String[] p = parse(constraint);
        String actual = attribute(node, p[0]);
        boolean eq = actual != null && actual.equals(p[2]);
        return p[1].equals("==") == eq;
    }

    private static String[] parse(String constraint) {
        String c = constraint.replace(" ", "");
        int i = c.indexOf("==");
        String op = "==";
        if (i < 0) {
            i = c.indexOf("!=");
            op = "!=";
        }
        if (i <= 0 || i + 2 >= c.length()) {
            throw new IllegalArgumentException("placement constraint '" + constraint + "' is not KEY==VALUE or KEY!=VALUE"
                    + " (supported keys: node.id, node.hostname, node.role, node.labels.NAME)");
        }
        String key = c.substring(0, i);
        if (!(key.equals("node.id") || key.equals("node.hostname") || key.equals("node.role")
                || (key.startsWith("node.labels.") && key.length() > "node.labels.".length()))) {
            throw new IllegalArgumentException("placement constraint '" + constraint + "' uses unsupported key '" + key
                    + "' (supported: node.id, node.hostname, node.role, node.labels.NAME)");
        }
        return new String[]{key, op, c.substring(i + 2)};
    }

    private static String attribute(NodeInfo n, String key) {
        return switch (key) {
            case "node.id" -> n.id();
            case "node.hostname" -> n.hostname();
            case "node.role" -> n.manager() ? "manager" : "worker";
            default -> labels(n).get(key.substring("node.labels.".length()));
        };
    }

    private static Map<String, String> labels(NodeInfo n) {
        return n.labels();
    }
}
