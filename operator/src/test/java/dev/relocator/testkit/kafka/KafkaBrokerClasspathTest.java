package dev.relocator.testkit.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;

import org.junit.jupiter.api.Test;

class KafkaBrokerClasspathTest {

    private static String cp(String... jars) {
        return String.join(File.pathSeparator, jars);
    }

    @Test
    void keepsKafkasClosureAndOneLoggingProviderAndDropsTheRest() {
        KafkaBrokerClasspath.Resolved r = KafkaBrokerClasspath.filter(cp(
                "/m2/org/apache/kafka/kafka_2.13/4.1.2/kafka_2.13-4.1.2.jar",
                "/m2/org/apache/kafka/kafka-clients/4.1.2/kafka-clients-4.1.2.jar",
                "/m2/org/apache/kafka/kafka-server/4.1.2/kafka-server-4.1.2.jar",
                "/m2/org/scala-lang/scala-library/2.13.16/scala-library-2.13.16.jar",
                "/m2/org/hdrhistogram/HdrHistogram/2.2.2/HdrHistogram-2.2.2.jar",
                "/m2/io/quarkus/quarkus-core/3.33.2/quarkus-core-3.33.2.jar",
                "/m2/org/jboss/logging/commons-logging-jboss-logging/2.0.0.Final/commons-logging-jboss-logging-2.0.0.Final.jar",
                "/m2/org/jboss/slf4j/slf4j-jboss-logmanager/2.0.2.Final/slf4j-jboss-logmanager-2.0.2.Final.jar",
                "/m2/org/jboss/logmanager/jboss-logmanager/3.2.1.Final/jboss-logmanager-3.2.1.Final.jar",
                "/m2/org/slf4j/slf4j-simple/2.0.17/slf4j-simple-2.0.17.jar",
                "/work/operator/target/test-classes"), "test");
        List<String> kept = List.of(r.classpath().split(File.pathSeparator));
        assertEquals(6, kept.size(), kept.toString());
        assertTrue(kept.stream().anyMatch(e -> e.endsWith("HdrHistogram-2.2.2.jar")));
        assertTrue(kept.stream().anyMatch(e -> e.endsWith("slf4j-simple-2.0.17.jar")), "slf4j-simple is preferred");
        assertFalse(kept.stream().anyMatch(e -> e.contains("quarkus") || e.contains("jboss") || e.contains("test-classes")),
                kept.toString());
    }

    @Test
    void fallsBackToTheJbossProviderWithItsDependencies() {
        KafkaBrokerClasspath.Resolved r = KafkaBrokerClasspath.filter(cp(
                "/m2/kafka_2.13-4.1.2.jar", "/m2/kafka-clients-4.1.2.jar", "/m2/scala-library-2.13.16.jar",
                "/m2/slf4j-jboss-logmanager-2.0.2.Final.jar", "/m2/jboss-logmanager-3.2.1.Final.jar",
                "/m2/smallrye-common-ref-2.13.0.jar"), "test");
        assertTrue(r.classpath().contains("smallrye-common-ref"), r.classpath());
        assertTrue(r.jvmOptions().contains("-Djava.util.logging.manager=org.jboss.logmanager.LogManager"));
    }

    @Test
    void missingKafkaJarsNameWhatIsMissingAndTheFix() {
        KafkaBrokerException e = assertThrows(KafkaBrokerException.class, () -> KafkaBrokerClasspath.filter(
                cp("/m2/kafka-clients-4.1.2.jar", "/m2/slf4j-api-2.0.17.jar"), "java.class.path of the test JVM"));
        assertTrue(e.getMessage().contains("kafka_2.13-") && e.getMessage().contains("scala-library-"), e.getMessage());
        assertTrue(e.getMessage().contains("org.apache.kafka:kafka_2.13")
                && e.getMessage().contains(KafkaBrokerClasspath.OVERRIDE_PROPERTY), e.getMessage());
    }
}
