package dev.headwater.projector.allocation;

import dev.headwater.projector.events.Resources;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Resource-seconds of an allocation, split at UTC hour boundaries. Exact: durations in
 * microseconds (the log's precision) times whole resource amounts, as decimals.
 */
final class Billing {

    private Billing() {}

    /** Usage of one tenant in one hour. */
    record Usage(BigDecimal cpuMillicoreSeconds, BigDecimal memoryMibSeconds, BigDecimal gpuSeconds) {

        static final Usage ZERO = new Usage(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);

        Usage plus(Usage other) {
            return new Usage(
                    cpuMillicoreSeconds.add(other.cpuMillicoreSeconds),
                    memoryMibSeconds.add(other.memoryMibSeconds),
                    gpuSeconds.add(other.gpuSeconds));
        }

        static Usage of(Resources resources, Duration duration) {
            // Microseconds as a decimal of scale 6: exact, without a division.
            BigDecimal seconds = BigDecimal.valueOf(duration.toNanos() / 1_000, 6);
            return new Usage(
                    seconds.multiply(BigDecimal.valueOf(resources.cpuMillis())),
                    seconds.multiply(BigDecimal.valueOf(resources.memoryMib())),
                    seconds.multiply(BigDecimal.valueOf(resources.gpus())));
        }
    }

    /** Calls {@code sink} with (hour start, usage) for every hour [from, to) touches. */
    static void split(Instant from, Instant to, Resources resources, BiConsumer<Instant, Usage> sink) {
        Instant start = from;
        while (start.isBefore(to)) {
            Instant hour = start.truncatedTo(ChronoUnit.HOURS);
            Instant next = hour.plus(1, ChronoUnit.HOURS);
            Instant end = next.isBefore(to) ? next : to;
            sink.accept(hour, Usage.of(resources, Duration.between(start, end)));
            start = end;
        }
    }

    static void addTo(Map<Instant, Usage> hours, Instant from, Instant to, Resources resources) {
        split(from, to, resources, (hour, usage) -> hours.merge(hour, usage, Usage::plus));
    }
}
