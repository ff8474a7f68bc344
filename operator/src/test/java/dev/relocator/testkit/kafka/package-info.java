/**
 * A real Kafka broker for tests: KRaft, broker and controller in one child JVM, started
 * from the {@code org.apache.kafka:kafka_2.13} jars (version from the Quarkus BOM, so the
 * broker matches the client).
 *
 * <h2>Use</h2>
 * <ul>
 *   <li>Plain JUnit 5: {@code @ExtendWith(KafkaBrokerExtension.class)} and a {@link
 *       dev.relocator.testkit.kafka.KafkaBroker} parameter, or a static
 *       {@code @RegisterExtension KafkaBrokerExtension.with(b -> b.scramUser(..))}.</li>
 *   <li>Quarkus: {@code @QuarkusTestResource(KafkaBrokerResource.class)} sets
 *       {@code kafka.bootstrap.servers} (and the SASL client properties when a SCRAM user is
 *       given); {@code @InjectKafkaBroker KafkaBroker kafka;} gives the broker to the test.</li>
 *   <li>By hand (the chaos harness): {@code KafkaBroker.builder().listenAddress(gateway).start()},
 *       then {@code stop()}/{@code start()} as the "Kafka down" fault (data and ports are kept),
 *       {@code kill()} for a crash, {@code close()} at the end.</li>
 * </ul>
 *
 * <h2>Class path of the broker JVM</h2>
 * Taken from the test JVM's {@code java.class.path} (Surefire and Failsafe put the full test
 * class path there), filtered to Kafka's runtime closure plus one SLF4J provider
 * ({@code slf4j-simple} if present, else Quarkus' {@code slf4j-jboss-logmanager}). A module that
 * uses the kit therefore needs, in test scope: the operator's {@code test-jar} and
 * {@code org.apache.kafka:kafka_2.13} (no version: the BOM manages it) — {@code chaos-tests}
 * already declares both. Override with {@code -Drelocator.testkit.kafka.classpath=...}.
 *
 * <h2>Failures</h2>
 * A broker that cannot start throws {@link dev.relocator.testkit.kafka.KafkaBrokerException}
 * naming the ports, the class path used, the log file ({@code <tmp>/relocator-kafka-<name>-*
 * /broker.log}) and its last lines; that directory is kept for diagnosis, and deleted by
 * {@code close()} otherwise.
 */
package dev.relocator.testkit.kafka;
