package dev.relocator.chaos.nemesis;

import dev.relocator.testkit.kafka.KafkaBroker;

/**
 * The "Kafka down" fault on the real test broker (a KRaft child JVM): stop is an orderly
 * shutdown of the broker process, so clients see refused connections exactly as an operator
 * would; start brings it back on the same ports with its data.
 */
public final class KafkaBrokerControl implements BrokerControl {

    private final KafkaBroker broker;

    public KafkaBrokerControl(KafkaBroker broker) {
        this.broker = broker;
    }

    @Override
    public void stop() {
        broker.stop();
    }

    @Override
    public void start() {
        broker.start();
    }
}
