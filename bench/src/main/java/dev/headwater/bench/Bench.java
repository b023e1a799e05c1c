package dev.headwater.bench;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * {@code bench/run <figure> [--name=value ...]}: brings up what the figure needs, measures it and
 * its baseline in interleaved rounds, prints medians, spreads and ratios, and tears everything down.
 */
public final class Bench {

    /** Every figure of docs/benchmarks.md, by the name bench/run takes. */
    static final Map<String, BiConsumer<BenchStack, Options>> FIGURES = new LinkedHashMap<>();

    static {
        FIGURES.put("append", AppendFigures::append);
        FIGURES.put("bulk-append", AppendFigures::bulkAppend);
        FIGURES.put("cdc-drain", CdcFigures::drain);
        FIGURES.put("cdc-peer", CdcFigures::peer);
        FIGURES.put("cdc-latency", LatencyFigures::commitToAck);
        FIGURES.put("view-latency", LatencyFigures::commitToView);
        FIGURES.put("projector-drain", ProjectorFigures::drain);
        FIGURES.put("rebuild", ProjectorFigures::rebuild);
        FIGURES.put("rss", AppendFigures::rss);
        FIGURES.put("decode", CodecFigures::decode);
    }

    private Bench() {}

    public static void main(String[] args) {
        if (args.length == 0 || !FIGURES.containsKey(args[0])) {
            System.err.println("usage: bench/run <figure> [--rounds=N --seconds=N --events=N ...]\nfigures: "
                    + String.join(", ", FIGURES.keySet()));
            System.exit(2);
        }
        Options options = Options.parse(args, 1);
        Path root = Path.of(System.getProperty("bench.root", "")).toAbsolutePath();
        long started = System.nanoTime();
        Report.note(
                "# bench %s %s, %s, load at start %s",
                args[0],
                String.join(" ", java.util.Arrays.copyOfRange(args, 1, args.length)),
                LocalDateTime.now().truncatedTo(ChronoUnit.SECONDS),
                Machine.loadAverages());
        int status = 0;
        BenchStack stack = BenchStack.create(root, options.passThrough("kafka.", ""));
        // Ctrl-C or a timeout must not leave Postgres, Kafka or a service running.
        Thread stopOnSignal = new Thread(stack::close, "bench-stop");
        Runtime.getRuntime().addShutdownHook(stopOnSignal);
        try {
            FIGURES.get(args[0]).accept(stack, options);
        } catch (RuntimeException e) {
            System.err.println("bench " + args[0] + " failed: " + e.getMessage());
            e.printStackTrace();
            status = 1;
        } finally {
            stack.printStatementProfile();
            stack.close();
            Runtime.getRuntime().removeShutdownHook(stopOnSignal);
        }
        Report.note(
                "# took %d s; load at end %s", (System.nanoTime() - started) / 1_000_000_000L, Machine.loadAverages());
        System.exit(status);
    }
}
