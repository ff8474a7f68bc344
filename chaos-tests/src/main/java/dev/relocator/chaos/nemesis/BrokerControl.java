package dev.relocator.chaos.nemesis;

/**
 * A Kafka broker the nemesis can stop and start. The lab does not own the broker: the test that
 * starts one (bound to the lab network's gateway address) passes its control here.
 */
public interface BrokerControl {
    void stop();

    void start();
}
