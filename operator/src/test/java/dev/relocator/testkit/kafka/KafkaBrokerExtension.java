package dev.relocator.testkit.kafka;

import java.util.function.Consumer;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: one {@link KafkaBroker} per test class, started before all tests and
 * closed after them. Test methods and constructors can take a {@link KafkaBroker} parameter.
 *
 * <pre>{@code
 * @ExtendWith(KafkaBrokerExtension.class)           // plaintext broker on 127.0.0.1
 * class FooIT { @Test void t(KafkaBroker kafka) { ... } }
 *
 * @RegisterExtension                                  // any builder setting
 * static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.with(b -> b.scramUser("alice", "s3cret"));
 * }</pre>
 */
public class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private final Consumer<KafkaBroker.Builder> customizer;
    private KafkaBroker broker;

    public KafkaBrokerExtension() {
        this(b -> { });
    }

    private KafkaBrokerExtension(Consumer<KafkaBroker.Builder> customizer) {
        this.customizer = customizer;
    }

    public static KafkaBrokerExtension with(Consumer<KafkaBroker.Builder> customizer) {
        return new KafkaBrokerExtension(customizer);
    }

    /** The broker; valid between beforeAll and afterAll. */
    public KafkaBroker broker() {
        if (broker == null) {
            throw new KafkaBrokerException("The Kafka broker is not started: KafkaBrokerExtension must be a static "
                    + "@RegisterExtension field or an @ExtendWith on the class");
        }
        return broker;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        KafkaBroker.Builder builder = KafkaBroker.builder()
                .name(context.getRequiredTestClass().getSimpleName());
        customizer.accept(builder);
        broker = builder.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return broker();
    }
}
