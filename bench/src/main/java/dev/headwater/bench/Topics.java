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

    /**
     * A drain's rate (records per second) and CPU per record, in microseconds: of the publisher, of
     * Postgres (the postmaster and its backends, the walsender among them) and of the broker. NaN
     * where a supplier gives NaN.
     */
    record Drain(
            double recordsPerSecond,
            double cpuMicrosPerRecord,
            double postgresMicrosPerRecord,
            double brokerMicrosPerRecord) {

        /** "publisher X µs, Postgres Y µs, Kafka Z µs" per event, for a round's line. */
        String cpuDetail(String publisher) {
            return String.format(
                    java.util.Locale.ROOT,
                    "CPU per event: %s %.0f µs, Postgres %.0f µs, Kafka %.0f µs",
                    publisher,
                    cpuMicrosPerRecord,
                    postgresMicrosPerRecord,
                    brokerMicrosPerRecord);
        }
    }

    /** CPU seconds so far of the publisher, of Postgres and of the broker. */
    record Cpu(
            java.util.function.DoubleSupplier publisher,
            java.util.function.DoubleSupplier postgres,
            java.util.function.DoubleSupplier broker) {

        static final Cpu NONE = new Cpu(() -> Double.NaN, () -> Double.NaN, () -> Double.NaN);

        /** The publisher's process, and the stack's Postgres and broker. */
        static Cpu of(BenchStack stack, long publisherPid) {
            long postmaster = stack.postmasterPid();
            long broker = stack.kafkaPid();
            return new Cpu(
                    () -> Machine.cpuSeconds(publisherPid),
                    () -> Machine.treeCpuSeconds(postmaster),
                    () -> Machine.cpuSeconds(broker));
        }

        double[] read() {
            return new double[] {publisher.getAsDouble(), postgres.getAsDouble(), broker.getAsDouble()};
        }
    }

    /**
     * Waits until the topics of {@code prefix} hold {@code target} records, while {@code alive}
     * holds. Rate and CPU are taken from the first record seen to the last, so start-up is not
     * counted.
     */
    Drain awaitRecords(String prefix, long target, java.util.function.BooleanSupplier alive, Cpu cpu, String who) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        long firstSeenAt = 0;
        long firstCount = 0;
        double[] firstCpu = null;
        long last = -1;
        long lastChange = System.nanoTime();
        while (true) {
            long count = records(prefix);
            long now = System.nanoTime();
            if (count > 0 && firstSeenAt == 0) {
                firstSeenAt = now;
                firstCount = count;
                firstCpu = cpu.read();
            }
            if (count >= target) {
                double seconds = (now - firstSeenAt) / 1e9;
                double[] used = cpu.read();
                long records = count - firstCount;
                double[] perRecord = new double[used.length];
                for (int i = 0; i < used.length; i++) {
                    perRecord[i] = records == 0 ? Double.NaN : (used[i] - firstCpu[i]) * 1e6 / records;
                }
                return new Drain(
                        seconds <= 0 ? Double.NaN : records / seconds, perRecord[0], perRecord[1], perRecord[2]);
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
