package dev.headwater.bench;

import dev.headwater.migrations.HeadwaterSchema.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Postgres baseline of the append figures: pgbench running a one-row INSERT into
 * {@code event_log.events} with the same payload and metadata shape the command service writes, as
 * the service's role, on the same server.
 */
final class PgBench {

    /** What one pgbench run measured. */
    record Result(double transactionsPerSecond, double averageLatencyMillis) {}

    static final String INSERT = """
            INSERT INTO event_log.events (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                                          event_type, schema_version, payload, metadata)
            VALUES (gen_random_uuid(), 'bench', 'bench', gen_random_uuid()::text, 1, 'BenchEventRecorded', 1,
                    '{"sequence": 1,"source":"bench","note":"a benchmark event of about the size of a control-plane event"}',
                    ('{"actor": "token' || ':' || 'bootstrap","commandId":"9b2f7c1e-3c1a-4d55-9a65-0e2f3b7c9d11","correlationId":"9b2f7c1e-3c1a-4d55-9a65-0e2f3b7c9d11","causationId":"9b2f7c1e-3c1a-4d55-9a65-0e2f3b7c9d11"}')::jsonb);
            """;

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");

    private PgBench() {}

    static Result insert(BenchStack stack, int clients, Duration duration) {
        Path script = stack.home().resolve("insert-event.sql");
        try {
            Files.writeString(script, INSERT.replace("\n", " ").trim() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String output = stack.runTool(
                "pgbench",
                List.of(
                        stack.postgresTool("pgbench"),
                        "-n",
                        "-M",
                        "prepared",
                        "-c",
                        Integer.toString(clients),
                        "-j",
                        "2",
                        "-T",
                        Long.toString(duration.toSeconds()),
                        "-f",
                        script.toString(),
                        stack.libpq(BenchStack.DATABASE, Role.APP)),
                duration.plusSeconds(60));
        Matcher tps = TPS.matcher(output);
        Matcher latency = LATENCY.matcher(output);
        if (!tps.find() || !latency.find()) {
            throw new IllegalStateException("pgbench printed no result:\n" + output);
        }
        return new Result(Double.parseDouble(tps.group(1)), Double.parseDouble(latency.group(1)));
    }
}
