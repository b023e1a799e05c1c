package dev.headwater.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Counts what reached Kafka: the sum of the end offsets of every topic with a prefix. Acknowledged
 * records are exactly those below the end offsets, so this measures any publisher the same way.
 */
final class Topics implements AutoCloseable {

    private final Admin admin;

    Topics(String bootstrap) {
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                10_000));
    }

    /** Records in all topics whose name starts with {@code prefix}. */
    long records(String prefix) {
        return endOffsets(prefix).values().stream().mapToLong(Long::longValue).sum();
    }

    Map<TopicPartition, Long> endOffsets(String prefix) {
        try {
            Set<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream()
                    .filter(name -> name.startsWith(prefix))
                    .collect(Collectors.toSet());
            if (topics.isEmpty()) {
                return Map.of();
            }
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            admin.describeTopics(topics)
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .forEach((name, description) -> description
                            .partitions()
                            .forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> result = new HashMap<>();
            admin.listOffsets(request)
                    .all()
                    .get(10, TimeUnit.SECONDS)
                    .forEach((tp, info) -> result.put(tp, info.offset()));
            return result;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Reading end offsets failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    void create(String topic, int partitions) {
        try {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Creating " + topic + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A drain's rate (records per second) and the publisher's CPU per record, in microseconds. */
    record Drain(double recordsPerSecond, double cpuMicrosPerRecord) {}

    /**
     * Waits until the topics of {@code prefix} hold {@code target} records, while {@code alive}
     * holds. Rate and CPU (from {@code cpuSeconds} of the publisher) are taken from the first
     * record seen to the last, so start-up is not counted.
     */
    Drain awaitRecords(
            String prefix,
            long target,
            java.util.function.BooleanSupplier alive,
            java.util.function.DoubleSupplier cpuSeconds,
            String who) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        long firstSeenAt = 0;
        long firstCount = 0;
        double firstCpu = Double.NaN;
        long last = -1;
        long lastChange = System.nanoTime();
        while (true) {
            long count = records(prefix);
            long now = System.nanoTime();
            if (count > 0 && firstSeenAt == 0) {
                firstSeenAt = now;
                firstCount = count;
                firstCpu = cpuSeconds.getAsDouble();
            }
            if (count >= target) {
                double seconds = (now - firstSeenAt) / 1e9;
                double cpu = cpuSeconds.getAsDouble() - firstCpu;
                long records = count - firstCount;
                return new Drain(
                        seconds <= 0 ? Double.NaN : records / seconds, records == 0 ? Double.NaN : cpu * 1e6 / records);
            }
            if (count != last) {
                last = count;
                lastChange = now;
            }
            if (!alive.getAsBoolean()) {
                throw new IllegalStateException(who + " exited after " + count + " of " + target + " records");
            }
            if (now > deadline || now - lastChange > TimeUnit.MINUTES.toNanos(3)) {
                throw new IllegalStateException(who + " stalled at " + count + " of " + target + " records");
            }
            Pause.millis(100);
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}
