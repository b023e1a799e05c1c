package dev.headwater.command.idempotency;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code headwater.command.idempotency.*}.
 *
 * @param retention how long a key answers with its stored response; a retry after that runs the
 *     command again
 * @param cleanupInterval how often expired keys are deleted
 * @param cleanupBatchSize keys deleted per statement (the job repeats until none are left)
 */
@Validated
@ConfigurationProperties("headwater.command.idempotency")
public record IdempotencyProperties(
        @NotNull @DefaultValue("24h") Duration retention,
        @NotNull @DefaultValue("5m") Duration cleanupInterval,
        @Min(1) @Max(100_000) @DefaultValue("1000") int cleanupBatchSize) {

    public IdempotencyProperties {
        if (retention != null && (retention.isNegative() || retention.isZero())) {
            throw new IllegalArgumentException("headwater.command.idempotency.retention must be positive");
        }
        if (cleanupInterval != null && (cleanupInterval.isNegative() || cleanupInterval.isZero())) {
            throw new IllegalArgumentException("headwater.command.idempotency.cleanup-interval must be positive");
        }
    }
}
