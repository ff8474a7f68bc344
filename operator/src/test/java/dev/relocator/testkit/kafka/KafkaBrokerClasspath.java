package dev.relocator.testkit.kafka;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Works out the class path of the child broker JVM.
 *
 * <p>The broker gets only Kafka's own artifacts (the dependency tree of
 * {@code org.apache.kafka:kafka_2.13}) and one SLF4J provider, taken from the test
 * JVM's class path. Keeping Quarkus, Vert.x and the project's classes out means the
 * broker behaves like a real one and cannot pick up test-only service loaders.
 *
 * <p>Surefire and Failsafe put the real test class path into {@code java.class.path}
 * even when they launch through a manifest-only jar, so the filter works from both
 * the operator module and {@code chaos-tests} (which declares {@code kafka_2.13} as a
 * test dependency too). Anything unusual (an IDE runner, a shaded launcher) can set
 * the system property {@value #OVERRIDE_PROPERTY} to a complete class path instead.
 */
public final class KafkaBrokerClasspath {

    public static final String OVERRIDE_PROPERTY = "relocator.testkit.kafka.classpath";

    /**
     * Artifact ids of the runtime closure of kafka_2.13 4.1.x ({@code mvn dependency:tree}); jackson
     * and the compression codecs come through kafka-clients. Matched as {@code <artifactId>-<version>.jar}.
     */
    private static final Pattern BROKER_ARTIFACTS = Pattern.compile("(kafka_2\\.13|kafka-[a-z-]+|scala-library"
            + "|scala-reflect|scala-logging_2\\.13|scala-java8-compat_2\\.13|scala-collection-compat_2\\.13"
            + "|pcollections|hdrhistogram|hash4j|caffeine|log4j-api|log4j-core|argparse4j|commons-validator"
            + "|commons-beanutils|commons-digester|commons-logging|commons-collections|jackson-[a-z0-9-]+"
            + "|jopt-simple|jose4j|metrics-core|re2j|zstd-jni|lz4-java|snappy-java|slf4j-api)-[0-9].*\\.jar");

    /** The SLF4J providers the kit knows how to configure, and what they need beside them. */
    private static final Pattern SLF4J_SIMPLE = Pattern.compile("slf4j-simple-[0-9].*\\.jar");
    private static final Pattern JBOSS_LOGGING = Pattern.compile(
            "(slf4j-jboss-logmanager|jboss-logmanager|smallrye-common-[a-z-]+)-[0-9].*\\.jar");

    /** Jars that must be there, or the broker cannot even start. */
    private static final List<String> REQUIRED = List.of("kafka_2.13-", "kafka-clients-", "scala-library-");

    private KafkaBrokerClasspath() {
    }

    /** The class path for the broker JVM, and the JVM options its logging provider needs. */
    public record Resolved(String classpath, List<String> jvmOptions, String origin) {
    }

    public static Resolved resolve() {
        String override = System.getProperty(OVERRIDE_PROPERTY);
        if (override != null && !override.isBlank()) {
            return new Resolved(override, List.of(), "system property " + OVERRIDE_PROPERTY);
        }
        return filter(System.getProperty("java.class.path", ""), "java.class.path of the test JVM");
    }

    static Resolved filter(String classpath, String origin) {
        List<String> kept = new ArrayList<>();
        List<String> missing = new ArrayList<>(REQUIRED);
        String slf4jSimple = null;
        List<String> jbossLogging = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            String name = new File(entry).getName().toLowerCase(Locale.ROOT);
            if (!name.endsWith(".jar")) {
                continue;
            }
            if (SLF4J_SIMPLE.matcher(name).matches()) {
                slf4jSimple = entry;
            } else if (JBOSS_LOGGING.matcher(name).matches()) {
                jbossLogging.add(entry);
            }
            if (BROKER_ARTIFACTS.matcher(name).matches()) {
                kept.add(entry);
                missing.removeIf(name::startsWith);
            }
        }
        if (!missing.isEmpty()) {
            throw new KafkaBrokerException("Cannot build the Kafka broker class path from the " + origin
                    + ": no jar named " + String.join("*, ", missing) + "* on it. Fix: add the test dependency "
                    + "org.apache.kafka:kafka_2.13 (version from the Quarkus BOM) to the module that runs the "
                    + "test, or set -D" + OVERRIDE_PROPERTY + "=<class path of kafka_2.13 and its dependencies>.");
        }
        // One SLF4J provider, so the broker's log (and its fatal startup errors) reach the log file.
        List<String> jvmOptions = new ArrayList<>();
        if (slf4jSimple != null) {
            kept.add(slf4jSimple);
            jvmOptions.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
            jvmOptions.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
        } else if (jbossLogging.stream().anyMatch(e -> new File(e).getName().startsWith("slf4j-jboss-logmanager-"))) {
            kept.addAll(jbossLogging);
            jvmOptions.add("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
        }
        return new Resolved(String.join(File.pathSeparator, kept), List.copyOf(jvmOptions), origin);
    }
}
