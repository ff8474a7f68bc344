package dev.relocator.crd.load;

/**
 * Bounds on what the parser accepts, so a hostile input costs bounded memory and time.
 *
 * @param maxInputBytes    the whole input, checked before parsing
 * @param maxResourceBytes one resource, measured as compact JSON after parsing (the
 *                         Kubernetes-style object size limit; stack labels and Swarm configs
 *                         that store resources are far smaller than this)
 * @param maxAliases       YAML aliases to collections per document (billion laughs)
 * @param maxDepth         nesting of mappings and lists
 * @param maxNodes         values per input after alias expansion
 */
public record ParseLimits(int maxInputBytes, int maxResourceBytes, int maxAliases, int maxDepth, int maxNodes) {

    public static final int KIB = 1024;

    public ParseLimits {
        if (maxInputBytes < 1 || maxResourceBytes < 1 || maxAliases < 0 || maxDepth < 2 || maxNodes < 1) {
            throw new IllegalArgumentException("parse limits must be positive: " + maxInputBytes + ", "
                    + maxResourceBytes + ", " + maxAliases + ", " + maxDepth + ", " + maxNodes);
        }
    }

    /** 1 MiB input, 256 KiB per resource, 16 aliases, depth 32, 100 000 values. */
    public static ParseLimits defaults() {
        return new ParseLimits(1024 * KIB, 256 * KIB, 16, 32, 100_000);
    }

    public ParseLimits withMaxResourceBytes(int bytes) {
        return new ParseLimits(Math.max(maxInputBytes, bytes), bytes, maxAliases, maxDepth, maxNodes);
    }
}
