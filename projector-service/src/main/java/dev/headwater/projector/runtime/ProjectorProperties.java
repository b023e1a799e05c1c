package dev.headwater.projector.runtime;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Configuration of the projection runtime, prefix {@code headwater.projector}. Every default is
 * defined here, once; the README's configuration reference lists them.
 *
 * @param migrateOnStart apply pending migrations at start (the local stack does); otherwise the
 *     service only checks that the schema is current
 * @param topicPrefix topics are {@code <prefix>.<aggregate_type>.events}
 * @param groupPrefix each projection consumes in group {@code <prefix>.<projection name>}
 * @param pollTimeout longest wait of one poll
 * @param maxPollRecords most records per poll, so per transaction
 * @param poisonPolicy what to do with an event that cannot be applied, unless a projection says otherwise
 * @param projections per-projection settings, by projection name
 * @param retry retries of a failing batch before the poison policy applies
 * @param consistency read-your-writes waits
 * @param rebuild rebuilds from the event log
 * @param consumer extra Kafka consumer properties (for example {@code session.timeout.ms})
 */
@Validated
@ConfigurationProperties("headwater.projector")
public record ProjectorProperties(
        @DefaultValue("false") boolean migrateOnStart,
        @DefaultValue("headwater") @NotBlank String topicPrefix,
        @DefaultValue("headwater-projector") @NotBlank String groupPrefix,
        @DefaultValue("500ms") @NotNull Duration pollTimeout,
        @DefaultValue("2000") @Min(1) int maxPollRecords,
        @DefaultValue("PARK") @NotNull PoisonPolicy poisonPolicy,
        @DefaultValue Map<String, ProjectionSettings> projections,
        @DefaultValue @Valid Retry retry,
        @DefaultValue @Valid Consistency consistency,
        @DefaultValue @Valid Rebuild rebuild,
        @DefaultValue Map<String, String> consumer) {

    public ProjectorProperties {
        projections = Map.copyOf(projections);
        consumer = Map.copyOf(consumer);
        if (pollTimeout.isNegative() || pollTimeout.isZero()) {
            throw new IllegalArgumentException("headwater.projector.poll-timeout must be positive, was " + pollTimeout);
        }
    }

    /** The settings in force for one projection. */
    public PoisonPolicy poisonPolicyOf(String projection) {
        ProjectionSettings settings = projections.get(projection);
        return settings == null || settings.poisonPolicy() == null ? poisonPolicy : settings.poisonPolicy();
    }

    public boolean enabled(String projection) {
        ProjectionSettings settings = projections.get(projection);
        return settings == null || settings.enabled();
    }

    /**
     * Per-projection settings.
     *
     * @param enabled whether this instance consumes for the projection at all
     * @param poisonPolicy overrides {@code headwater.projector.poison-policy}
     */
    public record ProjectionSettings(
            @DefaultValue("true") boolean enabled, @Nullable PoisonPolicy poisonPolicy) {}

    /**
     * Retries of a failing batch: attempt {@code n} waits {@code initialBackoff * 2^(n-1)}, at most
     * {@code maxBackoff}. Transient database errors are retried without limit at the same pace.
     *
     * @param maxAttempts attempts of a failing handler before the poison policy applies
     */
    public record Retry(
            @DefaultValue("3") @Min(1) int maxAttempts,
            @DefaultValue("200ms") @NotNull Duration initialBackoff,
            @DefaultValue("5s") @NotNull Duration maxBackoff) {

        public Duration backoff(int attempt) {
            long factor = 1L << Math.min(Math.max(attempt - 1, 0), 20);
            Duration wait = initialBackoff.multipliedBy(factor);
            return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
        }
    }

    /**
     * @param timeout longest a query waits for its consistency token
     * @param retryAfter the Retry-After a 503 suggests when the wait timed out
     */
    public record Consistency(
            @DefaultValue("5s") @NotNull Duration timeout,
            @DefaultValue("1s") @NotNull Duration retryAfter) {}

    /**
     * @param chunkSize events per replay query and per shadow transaction
     * @param swapTimeout how long a rebuild may wait for the live projection to reach the point
     *     where shadow and live agree, before it gives up
     */
    public record Rebuild(
            @DefaultValue("5000") @Min(1) int chunkSize,
            @DefaultValue("2m") @NotNull Duration swapTimeout) {}
}
