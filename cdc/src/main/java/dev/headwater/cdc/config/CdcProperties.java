package dev.headwater.cdc.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The relay's settings, {@code headwater.cdc.*}. Every default is defined here once, in the
 * {@code @DefaultValue} annotations; the README's configuration reference repeats them.
 *
 * @param slotName the logical replication slot; it also names the relay's offsets and heartbeat row
 * @param publication the publication the slot decodes (created by migration V1)
 * @param migrateOnStart apply pending migrations at start (local stack only: production migrates
 *     as a release step)
 * @param topics where events go and how topics are created
 * @param engine how the Debezium engine reads the slot
 * @param producer how the Kafka producer sends
 * @param leader how instances elect the one active reader
 * @param restart backoff between engine restarts after a failure
 * @param slotCheckInterval how often the slot's retained WAL is sampled
 */
@Validated
@ConfigurationProperties("headwater.cdc")
public record CdcProperties(
        @DefaultValue("headwater_cdc") @NotBlank @Pattern(regexp = "[a-z0-9_]{1,63}")
        String slotName,

        @DefaultValue("headwater_events") @NotBlank String publication,
        @DefaultValue("false") boolean migrateOnStart,
        @DefaultValue @Valid @NotNull Topics topics,
        @DefaultValue @Valid @NotNull Engine engine,
        @DefaultValue @Valid @NotNull Producer producer,
        @DefaultValue @Valid @NotNull Leader leader,
        @DefaultValue @Valid @NotNull Restart restart,
        @DefaultValue("10s") @NotNull Duration slotCheckInterval) {

    public CdcProperties {
        if (engine.maxQueueSize() <= engine.maxBatchSize()) {
            throw new IllegalArgumentException("headwater.cdc.engine.max-queue-size (" + engine.maxQueueSize()
                    + ") must be larger than headwater.cdc.engine.max-batch-size (" + engine.maxBatchSize() + ")");
        }
    }

    /**
     * @param prefix topics are named {@code <prefix>.<aggregate_type>.events}
     * @param overrides topic per aggregate type where it differs from the prefix rule
     * @param partitions partitions of every topic the relay creates
     * @param replicationFactor replication factor of every topic the relay creates
     * @param precreate aggregate types whose topics are created at start, before any event, so that
     *     consumers can subscribe at once (others are created when their first event arrives)
     * @param config topic settings (Kafka names, such as {@code retention.ms}) of the topics the
     *     relay creates; topics that exist are left as they are
     */
    public record Topics(
            @DefaultValue("headwater") @NotBlank @Pattern(regexp = "[A-Za-z0-9._-]+")
            String prefix,

            @DefaultValue Map<String, String> overrides,
            @DefaultValue("12") @Min(1) int partitions,
            @DefaultValue("3") @Min(1) @Max(Short.MAX_VALUE) int replicationFactor,

            @DefaultValue({"tenant", "node", "allocation", "api-token"})
            List<String> precreate,

            @DefaultValue Map<String, String> config) {}

    /**
     * @param pollInterval how long the engine waits for more changes before handing over a batch
     *     that is not full: every batch below {@code maxBatchSize} waits the whole interval, so it
     *     adds directly to commit-to-Kafka latency at steady load (bench/run cdc-latency at 1,000
     *     events/s: p50 25 ms at 20 ms, 15 ms at 5 ms); a backlog fills its batches and does not wait
     * @param maxBatchSize most changes in one batch (one round of produce and acknowledge)
     * @param maxQueueSize changes buffered between the replication stream and the batches
     * @param heartbeatInterval how often, while the log is idle, a heartbeat moves the slot forward
     * @param statusUpdateInterval how often the replication connection reports its position
     * @param offsetFlushInterval least time between two writes of the offset: a finished batch
     *     writes it only once this has passed since the last write ({@code 0s}: after every batch),
     *     and a graceful stop writes it. Only offsets of acknowledged batches are ever written,
     *     whatever the interval; a longer one means fewer writes off the batches' path and more
     *     events published again after a crash (docs/adr/0043)
     */
    public record Engine(
            @DefaultValue("5ms") @NotNull Duration pollInterval,
            @DefaultValue("2048") @Min(1) int maxBatchSize,
            @DefaultValue("8192") @Min(2) int maxQueueSize,
            @DefaultValue("10s") @NotNull Duration heartbeatInterval,
            @DefaultValue("2s") @NotNull Duration statusUpdateInterval,
            @DefaultValue("1s") @NotNull Duration offsetFlushInterval) {}

    /**
     * @param linger how long the producer waits to fill a request; small, because the relay waits
     *     for every acknowledgement at the end of a batch anyway
     * @param batchSize bytes per partition request
     * @param compression producer compression type. Snappy, not lz4: Kafka's lz4 stream allocates two
     *     fresh 64 KiB block buffers for every partition batch it compresses (about 129 KiB, however
     *     few records the batch holds), and at steady load the relay sends hundreds of small batches a
     *     second, so lz4 alone made most of the relay's garbage and young collections, whose pauses
     *     stop every event in flight (docs/adr/0027). Snappy's stream recycles its buffers.
     * @param deliveryTimeout how long a send may take, retries included, before the batch fails
     * @param overrides further producer settings (Kafka names); acks and idempotence are not
     *     negotiable and cannot be overridden
     */
    public record Producer(
            @DefaultValue("2ms") @NotNull Duration linger,
            @DefaultValue("262144") @Min(1024) int batchSize,
            @DefaultValue("snappy") @NotBlank String compression,
            @DefaultValue("30s") @NotNull Duration deliveryTimeout,
            @DefaultValue Map<String, String> overrides) {}

    /**
     * @param pollInterval how often a standby tries to take the lock, and how often the leader checks
     *     that it still holds it
     * @param lockNamespace first key of the advisory lock (the second is the hash of the slot name)
     */
    public record Leader(
            @DefaultValue("500ms") @NotNull Duration pollInterval,
            @DefaultValue("1213682499") int lockNamespace) {}

    /**
     * @param initialBackoff wait before the first restart after the engine failed
     * @param maxBackoff longest wait between restarts (the wait doubles up to this)
     */
    public record Restart(
            @DefaultValue("1s") @NotNull Duration initialBackoff,
            @DefaultValue("30s") @NotNull Duration maxBackoff) {}
}
