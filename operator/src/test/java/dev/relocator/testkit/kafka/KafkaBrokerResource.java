package dev.relocator.testkit.kafka;

import java.util.LinkedHashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Quarkus test resource: starts a {@link KafkaBroker} before the application and sets
 * {@code kafka.bootstrap.servers} (which also turns Kafka Dev Services off). With SCRAM
 * users it also sets the standard {@code kafka.security.protocol}, {@code kafka.sasl.mechanism}
 * and {@code kafka.sasl.jaas.config}, which every Kafka channel and admin client inherits.
 *
 * <pre>{@code
 * @QuarkusTest
 * @QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true,
 *         initArgs = @ResourceArg(name = KafkaBrokerResource.SCRAM_USER, value = "alice:s3cret"))
 * class FooIT { @InjectKafkaBroker KafkaBroker kafka; }
 * }</pre>
 *
 * Init args: {@value #SCRAM_USER} ({@code user:password}; require SASL/SCRAM on the client
 * listener), {@value #LISTEN_ADDRESS}, {@value #STOPPED} ({@code true}: the application starts
 * with the broker down), and any {@code broker.<property>} passed to server.properties.
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    public static final String SCRAM_USER = "scram-user";
    public static final String LISTEN_ADDRESS = "listen-address";
    public static final String BROKER_PROPERTY_PREFIX = "broker.";
    /** "true": the application starts while the broker is down (formatted, ports fixed); the test starts it. */
    public static final String STOPPED = "stopped";

    private final KafkaBroker.Builder builder = KafkaBroker.builder().name("quarkus-test");
    private KafkaBroker broker;
    private boolean stopped;

    @Override
    public void init(Map<String, String> initArgs) {
        initArgs.forEach((key, value) -> {
            if (SCRAM_USER.equals(key)) {
                int colon = value.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("Init arg " + SCRAM_USER + " must be user:password, got: " + value);
                }
                builder.scramUser(value.substring(0, colon), value.substring(colon + 1));
            } else if (LISTEN_ADDRESS.equals(key)) {
                builder.listenAddress(value);
            } else if (STOPPED.equals(key)) {
                stopped = Boolean.parseBoolean(value);
            } else if (key.startsWith(BROKER_PROPERTY_PREFIX)) {
                builder.brokerProperty(key.substring(BROKER_PROPERTY_PREFIX.length()), value);
            } else {
                throw new IllegalArgumentException("Unknown init arg " + key + " for KafkaBrokerResource; known: "
                        + SCRAM_USER + ", " + LISTEN_ADDRESS + ", " + STOPPED + ", " + BROKER_PROPERTY_PREFIX
                        + "<server property>");
            }
        });
    }

    @Override
    public Map<String, String> start() {
        broker = builder.start();
        if (stopped) {
            broker.stop();
        }
        Map<String, String> config = new LinkedHashMap<>();
        config.put("kafka.bootstrap.servers", broker.bootstrapServers());
        if (broker.requiresSasl()) {
            Map.Entry<String, String> user = broker.scramUsers().entrySet().iterator().next();
            config.put("kafka.security.protocol", "SASL_PLAINTEXT");
            config.put("kafka.sasl.mechanism", KafkaBroker.SCRAM_MECHANISM);
            config.put("kafka.sasl.jaas.config", KafkaBroker.jaasConfig(user.getKey(), user.getValue()));
        }
        return config;
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(broker, new TestInjector.AnnotatedAndMatchesType(InjectKafkaBroker.class,
                KafkaBroker.class));
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
