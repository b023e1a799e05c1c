package dev.headwater.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The wrk HTTP load generator (Debian package {@code wrk}) with a Lua script, and its report parsed. */
final class Wrk {

    /** What one wrk run measured: requests per second and latency percentiles in milliseconds. */
    record Result(double requestsPerSecond, double p50Millis, double p99Millis, long requests, long failures) {}

    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("([0-9]+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: ([0-9]+)");
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)");

    private Wrk() {}

    static Path script(Path directory, String name) {
        try (InputStream in = Wrk.class.getResourceAsStream("/bench/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource /bench/" + name);
            }
            Path file = directory.resolve(name);
            Files.createDirectories(directory);
            Files.write(file, in.readAllBytes());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs wrk against {@code url} for {@code duration} with {@code connections} connections on two
     * threads (the machine's cores), passing {@code arguments} to the script.
     */
    static Result run(
            BenchStack stack, String url, Path script, int connections, Duration duration, String... arguments) {
        List<String> command = new ArrayList<>(List.of(
                "wrk",
                "-t" + Math.min(2, connections),
                "-c" + connections,
                "-d" + duration.toSeconds() + "s",
                "--timeout",
                "10s",
                "--latency",
                "-s",
                script.toString(),
                url,
                "--"));
        command.addAll(List.of(arguments));
        String output = stack.runTool("wrk", command, duration.plusSeconds(60));
        return parse(output);
    }

    static Result parse(String output) {
        Matcher rate = RATE.matcher(output);
        Matcher total = TOTAL.matcher(output);
        if (!rate.find() || !total.find()) {
            throw new IllegalStateException("wrk printed no result (is the Debian package wrk installed?):\n" + output);
        }
        long failures = 0;
        Matcher non2xx = NON_2XX.matcher(output);
        if (non2xx.find()) {
            failures += Long.parseLong(non2xx.group(1));
        }
        Matcher socket = SOCKET_ERRORS.matcher(output);
        if (socket.find()) {
            for (int group = 1; group <= 4; group++) {
                failures += Long.parseLong(socket.group(group));
            }
        }
        return new Result(
                Double.parseDouble(rate.group(1)),
                percentile(output, "50%"),
                percentile(output, "99%"),
                Long.parseLong(total.group(1)),
                failures);
    }

    /** A line of wrk's latency distribution, such as {@code "     99%   12.34ms"}, in milliseconds. */
    private static double percentile(String output, String label) {
        Matcher line = Pattern.compile(
                        "^\\s+" + Pattern.quote(label) + "\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE)
                .matcher(output);
        if (!line.find()) {
            throw new IllegalStateException("wrk printed no " + label + " latency:\n" + output);
        }
        double value = Double.parseDouble(line.group(1));
        return switch (line.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }

    static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
