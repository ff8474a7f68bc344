package dev.relocator.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Creates (or checks) the event topics at start-up with an AdminClient that uses the same
 * {@code kafka.*} settings as the channels, in the background and retrying until it works:
 * an unreachable broker never stops the operator, it only keeps events in the bounded
 * buffer (reported by {@link EventsHealthCheck} and the {@code relocator.events.*} metrics).
 */
@ApplicationScoped
public class EventTopics {

    private static final Logger LOG = Logger.getLogger(EventTopics.class);

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @Inject
    EventsConfig config;

    @Inject
    KafkaEventSink sink;

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "relocator-events-topics");
        t.setDaemon(true);
        return t;
    });
    private volatile String problem = "topics not checked yet";
    private int attempts;

    void onStart(@Observes StartupEvent event) {
        if (!config.topics().check()) {
            problem = null;
            LOG.infof("relocator.events.topics.check=false: publishing to %s and %s without checking them",
                    config.topic(), config.stateTopic());
            sink.topicsReady();
            return;
        }
        executor.execute(this::attempt);
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }

    /** Null when the topics are verified; otherwise what is wrong and how to fix it. */
    public String problem() {
        return problem;
    }

    private void attempt() {
        attempts++;
        try {
            List<String> warnings = ensureTopics();
            problem = warnings.isEmpty() ? null : String.join("; ", warnings);
            warnings.forEach(LOG::warn);
            LOG.infof("Event topics ready: %s (history) and %s (compacted state) on %s", config.topic(),
                    config.stateTopic(), kafkaConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
            sink.topicsReady();
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            problem = "Kafka at " + kafkaConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)
                    + " unreachable or refusing topic set-up (" + cause + "); events are buffered (bound "
                    + config.bufferSize() + " transitions), relocations go on. Check kafka.bootstrap.servers and "
                    + "the kafka.security.* / kafka.sasl.* settings.";
            if (attempts == 1 || attempts % 10 == 0) {
                LOG.errorf("Event topics not ready (attempt %d): %s", attempts, problem);
            }
            long delayMs = Math.min(30_000L, 1000L * (1L << Math.min(5, attempts - 1)));
            if (!executor.isShutdown()) {
                executor.schedule(this::attempt, delayMs, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Returns warnings that do not stop publishing (a state topic that is not compacted). */
    List<String> ensureTopics() throws ExecutionException, InterruptedException, TimeoutException {
        Duration timeout = config.topics().adminTimeout();
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.keySet().retainAll(AdminClientConfig.configNames());
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            if (!existing.contains(config.topic())) {
                missing.add(new NewTopic(config.topic(), config.topics().partitions(), config.topics().replicationFactor())
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG,
                                Long.toString(config.topics().retention().toMillis()))));
            }
            if (!existing.contains(config.stateTopic())) {
                missing.add(new NewTopic(config.stateTopic(), config.topics().partitions(),
                        config.topics().replicationFactor())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                                TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0",
                                TopicConfig.SEGMENT_MS_CONFIG, "3600000")));
            }
            if (!missing.isEmpty()) {
                if (!config.topics().create()) {
                    throw new IllegalStateException("topics " + names(missing) + " do not exist and "
                            + "relocator.events.topics.create=false: create them (the state topic with "
                            + "cleanup.policy=compact) or allow creation");
                }
                try {
                    admin.createTopics(missing).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.infof("Created event topics %s", names(missing));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            ConfigResource state = new ConfigResource(ConfigResource.Type.TOPIC, config.stateTopic());
            Config stateConfig = admin.describeConfigs(List.of(state)).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(state);
            String policy = stateConfig.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            if (policy == null || !policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                return List.of("State topic " + config.stateTopic() + " has cleanup.policy=" + policy
                        + ": it must be compacted to keep the latest state per volume. Fix: kafka-configs.sh "
                        + "--alter --entity-type topics --entity-name " + config.stateTopic()
                        + " --add-config cleanup.policy=compact");
            }
            return List.of();
        }
    }

    private static String names(Collection<NewTopic> topics) {
        return topics.stream().map(NewTopic::name).toList().toString();
    }
}
