package dev.headwater.bench;

import dev.headwater.contract.CloudEventCodec;
import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventMetadata;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.json.JsonMapper;

/**
 * What reading one record costs a consumer: {@link CloudEventCodec#decode} of an allocation event
 * as the relay publishes it, beside a bare pass over the same bytes' JSON tokens (the least any
 * JSON reader must do). A projector decodes every record once per projection that consumes its
 * topic, four times per allocation event. In-process, no Postgres and no Kafka.
 */
final class CodecFigures {

    private static final String PAYLOAD =
            "{\"tenantId\":\"tenant-7\",\"nodeId\":\"node-12\",\"workload\":\"workload-7\","
                    + "\"resources\":{\"cpuMillis\":1200,\"memoryMib\":2560,\"gpus\":0}}";

    private CodecFigures() {}

    /** Decode per record, ns and bytes allocated, in rounds of {@code --seconds} after {@code --warmup}. */
    static void decode(BenchStack stack, Options options) {
        int rounds = options.rounds(3);
        long roundNanos = options.seconds("seconds", 5).toNanos();
        long warmupNanos = options.seconds("warmup", 10).toNanos();
        JsonMapper mapper = JsonMapper.builder().build();
        CloudEventCodec codec = new CloudEventCodec(mapper);
        byte[] record = codec.encode(sample(mapper));
        Report.note("# %s", Machine.describeJvm());
        Report.heading("decode: an allocation event of " + record.length + " bytes, " + rounds + " rounds of "
                + roundNanos / 1_000_000_000L + " s after " + warmupNanos / 1_000_000_000L + " s of warm-up");
        Task decode = () -> codec.decode(record).aggregateVersion();
        Task tokens = () -> tokenPass(mapper, record);
        run(decode, warmupNanos);
        run(tokens, warmupNanos);
        Samples decodeNanos = new Samples();
        Samples decodeBytes = new Samples();
        Samples tokenNanos = new Samples();
        for (int round = 1; round <= rounds; round++) {
            double[] baseline = run(tokens, roundNanos);
            tokenNanos.add(baseline[0], Machine.load());
            Report.round("JSON token pass", round, baseline[0], "ns", Report.number(baseline[1]) + " bytes allocated");
            double[] figure = run(decode, roundNanos);
            decodeNanos.add(figure[0], Machine.load());
            decodeBytes.add(figure[1], Machine.load());
            Report.round("contract decode", round, figure[0], "ns", Report.number(figure[1]) + " bytes allocated");
        }
        Report.heading("decode result (per record)");
        Report.summary("figure: contract decode", decodeNanos, "ns");
        Report.summary("  allocated by it", decodeBytes, "bytes");
        Report.summary("baseline: JSON token pass", tokenNanos, "ns");
        Report.note("%-40s %.2fx", "ratio to baseline", decodeNanos.median() / tokenNanos.median());
    }

    @FunctionalInterface
    private interface Task {
        long once();
    }

    /** Runs the task for about {@code nanos}; returns ns per call and bytes this thread allocated per call. */
    private static double[] run(Task task, long nanos) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long calls = 0;
        long sink = 0;
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        long started = System.nanoTime();
        long elapsed;
        do {
            for (int i = 0; i < 1_000; i++) {
                sink += task.once();
            }
            calls += 1_000;
            elapsed = System.nanoTime() - started;
        } while (elapsed < nanos);
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        if (sink == Long.MIN_VALUE) {
            Report.note("(unreachable: keeps the results alive)");
        }
        return new double[] {elapsed / (double) calls, allocated / (double) calls};
    }

    private static long tokenPass(JsonMapper mapper, byte[] record) {
        long tokens = 0;
        try (JsonParser parser = mapper.createParser(record)) {
            while (parser.nextToken() != null) {
                tokens++;
            }
        }
        return tokens;
    }

    private static EventEnvelope sample(JsonMapper mapper) {
        return new EventEnvelope(
                UUID.fromString("0190d3a1-7c2e-7000-8000-00000000a1b2"),
                "tenant-7",
                "allocation",
                "00000000-0000-4000-8000-000000012345",
                1,
                "AllocationPlaced",
                1,
                mapper.readTree(PAYLOAD),
                new EventMetadata("token:bench", UUID.randomUUID().toString(), null, null, null),
                Instant.parse("2026-12-01T08:00:00.123456Z"),
                123_456_789L,
                0x1A0B1C2D3L);
    }
}
