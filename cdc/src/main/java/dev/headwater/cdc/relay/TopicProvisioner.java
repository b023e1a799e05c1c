package dev.headwater.cdc.relay;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a topic exists before the first record goes to it, created with the configured
 * partitions and replication factor: never left to the broker's defaults (or refused by a broker
 * whose automatic creation is off). Topics found are remembered, so the check costs once per topic
 * and engine run.
 */
final class TopicProvisioner {

    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

    private final Admin admin;
    private final int partitions;
    private final short replicationFactor;
    private final long timeoutMillis;
    private final Map<String, String> config;
    private final Set<String> known = new HashSet<>();

    TopicProvisioner(
            Admin admin, int partitions, short replicationFactor, Map<String, String> config, long timeoutMillis) {
        this.config = Map.copyOf(config);
        this.admin = admin;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.timeoutMillis = timeoutMillis;
    }

    void ensure(Collection<String> topics) throws InterruptedException {
        List<String> unknown =
                topics.stream().distinct().filter(t -> !known.contains(t)).toList();
        if (unknown.isEmpty()) {
            return;
        }
        List<String> missing = new ArrayList<>();
        Map<String, KafkaFuture<TopicDescription>> described =
                admin.describeTopics(unknown).topicNameValues();
        for (String topic : unknown) {
            try {
                TopicDescription description = await(described.get(topic));
                if (description.partitions().size() != partitions) {
                    log.warn(
                            "Topic {} exists with {} partitions, not the configured {}; the relay leaves it as it is",
                            topic,
                            description.partitions().size(),
                            partitions);
                }
                known.add(topic);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    missing.add(topic);
                } else {
                    throw new TransientRelayFailure("Describing topic " + topic + " failed", e.getCause());
                }
            }
        }
        if (!missing.isEmpty()) {
            create(missing);
        }
    }

    private void create(List<String> topics) throws InterruptedException {
        CreateTopicsResult result = admin.createTopics(topics.stream()
                .map(topic -> new NewTopic(topic, partitions, replicationFactor).configs(config))
                .toList());
        for (String topic : topics) {
            try {
                await(result.values().get(topic));
                log.info(
                        "Created topic {} with {} partitions, replication factor {}",
                        topic,
                        partitions,
                        replicationFactor);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new TransientRelayFailure(
                            "Creating topic " + topic + " (" + partitions + " partitions, replication factor "
                                    + replicationFactor + ") failed",
                            e.getCause());
                }
            }
        }
        awaitLeaders(topics);
        known.addAll(topics);
    }

    /**
     * A topic is usable once every partition has a leader; producing before that draws
     * NOT_LEADER_OR_FOLLOWER retries that, with idempotence, can stall a partition until the
     * delivery timeout.
     */
    private void awaitLeaders(List<String> topics) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            boolean ready = true;
            Map<String, KafkaFuture<TopicDescription>> described =
                    admin.describeTopics(topics).topicNameValues();
            for (String topic : topics) {
                try {
                    ready &= await(described.get(topic)).partitions().stream()
                            .allMatch(partition -> partition.leader() != null);
                } catch (ExecutionException e) {
                    ready = false;
                }
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TransientRelayFailure(
                        "Topics " + topics + " have partitions without a leader",
                        new TimeoutException("after " + timeoutMillis + " ms"));
            }
            Thread.sleep(50);
        }
    }

    private <T> T await(KafkaFuture<T> future) throws InterruptedException, ExecutionException {
        try {
            return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TransientRelayFailure("Kafka did not answer within " + timeoutMillis + " ms", e);
        }
    }
}
