package dev.headwater.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.utils.AppInfoParser;

/** What a figure was measured on, printed above every result, and the machine's load at a moment. */
final class Machine {

    private Machine() {}

    static String describe(String postgresVersion) {
        return describeJvm() + "; " + postgresVersion + "; Kafka " + AppInfoParser.getVersion();
    }

    /** The machine and the JDK, for a figure that runs without Postgres and Kafka. */
    static String describeJvm() {
        Runtime runtime = Runtime.getRuntime();
        return String.format(
                Locale.ROOT,
                "machine: %s, %d cores, %.1f GiB memory; JDK %s (%s)",
                cpuModel(),
                runtime.availableProcessors(),
                memoryKib() / 1024.0 / 1024.0,
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"));
    }

    /** The 1-minute load average: how many runnable processes competed for the cores. */
    static double load() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** The three load averages, as uptime prints them. */
    static String loadAverages() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Resident memory of a process in MiB ({@code VmRSS}), or -1 when it is gone. */
    static double rssMib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * CPU time a process has used so far (user + system), in seconds, or NaN when it is gone. On a
     * shared machine, CPU per event is a steadier measure of a change than a rate.
     */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks / (double) CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** CPU seconds all cores spent busy so far (everything in {@code /proc/stat} but idle and I/O wait). */
    static double busyCpuSeconds() {
        try {
            String[] fields =
                    Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            // user nice system idle iowait irq softirq steal; guest time is already in user and nice
            for (int i = 1; i <= 8 && i < fields.length; i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(fields[i]);
                }
            }
            return busy / (double) CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * CPU seconds of a process and its direct children, live and exited (a Postgres postmaster
     * and its backends): the rebuild's work in Postgres, whatever else the machine runs.
     */
    static double treeCpuSeconds(long root) {
        long ticks = 0;
        try {
            for (long pid : processIds()) {
                String stat;
                try {
                    stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                } catch (IOException gone) {
                    continue; // exited meanwhile: its time is in the parent's children fields
                }
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (pid == root) {
                    ticks += Long.parseLong(fields[11])
                            + Long.parseLong(fields[12])
                            + Long.parseLong(fields[13])
                            + Long.parseLong(fields[14]);
                } else if (Long.parseLong(fields[1]) == root) {
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return ticks / (double) CLOCK_TICKS_PER_SECOND;
    }

    /**
     * How long the threads of a process (and, with {@code children}, of its direct children) have
     * waited runnable for a CPU so far, in seconds, and how many times they were put on one: the
     * second and third fields of each thread's {@code schedstat}, which the scheduler keeps in
     * nanoseconds. {@code {NaN, NaN}} when the kernel keeps no such file.
     */
    static double[] runQueueWait(long root, boolean children) {
        if (!Files.exists(Path.of("/proc/self/schedstat"))) {
            // Without the scheduler's statistics every thread would read as "gone": report that
            // nothing was measured rather than a wait of zero.
            return new double[] {Double.NaN, Double.NaN};
        }
        long waited = 0;
        long runs = 0;
        try {
            for (long pid : processIds()) {
                if (pid != root && (!children || parentPid(pid) != root)) {
                    continue;
                }
                try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                    for (Path task : (Iterable<Path>) tasks::iterator) {
                        String[] fields = Files.readString(task.resolve("schedstat"))
                                .trim()
                                .split(" ");
                        waited += Long.parseLong(fields[1]);
                        runs += Long.parseLong(fields[2]);
                    }
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {waited / 1e9, runs};
    }

    /** Every process id in {@code /proc} at this moment. */
    private static List<Long> processIds() throws IOException {
        try (var entries = Files.list(Path.of("/proc"))) {
            return entries.map(entry -> entry.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .toList();
        }
    }

    /** The parent of a process (the postmaster of a Postgres auxiliary process); itself if unknown. */
    static long parentPid(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            long parent =
                    Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
            return parent > 1 ? parent : pid;
        } catch (IOException | RuntimeException e) {
            return pid;
        }
    }

    /** USER_HZ, 100 on every Linux this runs on. */
    private static final int CLOCK_TICKS_PER_SECOND = 100;

    private static String cpuModel() {
        return firstValue(Path.of("/proc/cpuinfo"), "model name").orElse(System.getProperty("os.arch"));
    }

    private static long memoryKib() {
        return firstValue(Path.of("/proc/meminfo"), "MemTotal")
                .map(v -> Long.parseLong(v.replaceAll("[^0-9]", "")))
                .orElse(0L);
    }

    private static java.util.Optional<String> firstValue(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.stream()
                    .filter(line -> line.startsWith(key))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }
}
