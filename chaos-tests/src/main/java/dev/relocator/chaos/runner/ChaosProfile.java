package dev.relocator.chaos.runner;

/** The {@code chaos.profile} system property (set by the root pom): {@code ci} short, {@code full} long. */
public final class ChaosProfile {

    private ChaosProfile() {
    }

    public static String name() {
        String p = System.getProperty("chaos.profile", "ci").strip();
        if (!p.equals("ci") && !p.equals("full")) {
            throw new IllegalArgumentException("chaos.profile must be 'ci' or 'full', got '" + p + "' (mvn -Pci or -Pfull sets it)");
        }
        return p;
    }

    public static int runs(int ci, int full) {
        return name().equals("full") ? full : ci;
    }
}
