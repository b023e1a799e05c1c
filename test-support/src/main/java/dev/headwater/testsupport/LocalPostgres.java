package dev.headwater.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Postgres server started from the installed binaries, with {@code wal_level=logical}. Postgres
 * refuses to run as root, so when this JVM is root the server runs as the {@code postgres} user
 * (through {@code runuser}). Ephemeral servers live in a temporary directory that is deleted on
 * {@link #close()}; persistent ones (the local stack) keep their data directory between runs.
 */
public final class LocalPostgres implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalPostgres.class);
    private static final String UNPRIVILEGED_USER = "postgres";
    private static final String SUPERUSER = "postgres";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

    private final Path binaries;
    private final Path baseDirectory;
    private final int port;
    private final boolean persistent;
    private volatile boolean running;

    private LocalPostgres(Path binaries, Path baseDirectory, int port, boolean persistent) {
        this.binaries = binaries;
        this.baseDirectory = baseDirectory;
        this.port = port;
        this.persistent = persistent;
    }

    /**
     * The directory holding {@code initdb} and {@code pg_ctl}: {@code HEADWATER_PG_BIN}, else
     * {@code pg_config --bindir}, else the newest {@code /usr/lib/postgresql/<major>/bin}.
     */
    public static Optional<Path> findBinaries() {
        String configured = System.getenv("HEADWATER_PG_BIN");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(LocalPostgres::hasServerBinaries);
        }
        Optional<Path> fromPgConfig = pgConfigBindir().filter(LocalPostgres::hasServerBinaries);
        if (fromPgConfig.isPresent()) {
            return fromPgConfig;
        }
        Path debianRoot = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(debianRoot)) {
            return Optional.empty();
        }
        try (Stream<Path> majors = Files.list(debianRoot)) {
            return majors.map(major -> major.resolve("bin"))
                    .filter(LocalPostgres::hasServerBinaries)
                    .max(Comparator.comparingInt(LocalPostgres::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Starts a throw-away server on a free port; {@link #close()} stops it and deletes its files. */
    public static LocalPostgres startEphemeral() {
        return startEphemeral(Map.of());
    }

    /** As {@link #startEphemeral()}, with server settings that override the defaults here. */
    public static LocalPostgres startEphemeral(Map<String, String> settings) {
        Path binaries = findBinaries().orElseThrow(() -> new IllegalStateException(missingBinariesMessage()));
        try {
            Path base = Files.createTempDirectory("headwater-pg-");
            LocalPostgres server = new LocalPostgres(binaries, base, Ports.stablePort(), false);
            Map<String, String> merged = new LinkedHashMap<>(Map.of("fsync", "off", "full_page_writes", "off"));
            merged.putAll(settings);
            server.initialise(merged);
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a server whose files live in {@code baseDirectory} (created and initialised on first
     * use, reused afterwards) on the given port.
     */
    public static LocalPostgres startPersistent(Path baseDirectory, int port) {
        Path binaries = findBinaries().orElseThrow(() -> new IllegalStateException(missingBinariesMessage()));
        LocalPostgres server = new LocalPostgres(binaries, baseDirectory.toAbsolutePath(), port, true);
        try {
            Files.createDirectories(server.baseDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!Files.exists(server.dataDirectory().resolve("PG_VERSION"))) {
            server.initialise(Map.of());
        } else {
            server.writeSettings(Map.of());
        }
        server.start();
        return server;
    }

    public static String missingBinariesMessage() {
        return "No PostgreSQL server binaries found (initdb, pg_ctl): install the PostgreSQL server"
                + " (Debian: apt-get install postgresql) or set HEADWATER_PG_BIN to their directory.";
    }

    public PostgresServer server() {
        return new PostgresServer("127.0.0.1", port, SUPERUSER, null, "local server " + dataDirectory());
    }

    public int port() {
        return port;
    }

    public Path dataDirectory() {
        return baseDirectory.resolve("data");
    }

    public Path logFile() {
        return baseDirectory.resolve("postgres.log");
    }

    /** Stops the server (fast shutdown: sessions are ended, committed work is kept). */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        run(List.of(binary("pg_ctl"), "-D", dataDirectory().toString(), "-m", "fast", "-w", "-t", "60", "stop"));
        running = false;
    }

    /** Starts the server again after {@link #stop()}, on the same port with the same data. */
    public synchronized void start() {
        if (running) {
            return;
        }
        run(List.of(
                binary("pg_ctl"),
                "-D",
                dataDirectory().toString(),
                "-l",
                logFile().toString(),
                "-w",
                "-t",
                "60",
                "start"));
        running = true;
        log.info("Postgres running on 127.0.0.1:{} (data in {})", port, dataDirectory());
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            if (!persistent) {
                deleteRecursively(baseDirectory);
            }
        }
    }

    private void initialise(Map<String, String> extraSettings) {
        if (runsAsRoot()) {
            chownToUnprivileged(baseDirectory);
        }
        run(List.of(
                binary("initdb"),
                "-D",
                dataDirectory().toString(),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync"));
        appendLine(dataDirectory().resolve("postgresql.conf"), "include_if_exists = 'headwater.conf'");
        writeSettings(extraSettings);
    }

    /** Settings the platform needs, rewritten at every start so a changed port takes effect. */
    private void writeSettings(Map<String, String> extraSettings) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listen_addresses", "'127.0.0.1'");
        settings.put("port", Integer.toString(port));
        settings.put("unix_socket_directories", "'" + baseDirectory + "'");
        settings.put("wal_level", "logical");
        settings.put("max_replication_slots", "64");
        settings.put("max_wal_senders", "64");
        settings.put("max_connections", "400");
        settings.putAll(extraSettings);
        StringBuilder text = new StringBuilder("# Written by Headwater's LocalPostgres at every start.\n");
        settings.forEach(
                (key, value) -> text.append(key).append(" = ").append(value).append('\n'));
        Path file = dataDirectory().resolve("headwater.conf");
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
            if (runsAsRoot()) {
                Files.setOwner(file, unprivilegedUser());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String binary(String name) {
        return binaries.resolve(name).toString();
    }

    private void run(List<String> command) {
        List<String> full = new ArrayList<>();
        if (runsAsRoot()) {
            full.addAll(List.of("runuser", "-u", UNPRIVILEGED_USER, "--"));
        }
        full.addAll(command);
        try {
            Path output = Files.createTempFile("headwater-pg-cmd-", ".log");
            try {
                Process process = new ProcessBuilder(full)
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
                if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("Timed out: " + String.join(" ", full));
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException("Command failed (exit " + process.exitValue() + "): "
                            + String.join(" ", full) + "\n" + Files.readString(output) + serverLogTail());
                }
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command.get(0), e);
        }
    }

    private String serverLogTail() {
        try {
            if (!Files.exists(logFile())) {
                return "";
            }
            List<String> lines = Files.readAllLines(logFile());
            return "\nServer log (" + logFile() + "), last lines:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    static boolean runsAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static UserPrincipal unprivilegedUser() throws IOException {
        return Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(UNPRIVILEGED_USER);
    }

    private static void chownToUnprivileged(Path directory) {
        try {
            UserPrincipal user = unprivilegedUser();
            try (Stream<Path> paths = Files.walk(directory)) {
                for (Path path : paths.toList()) {
                    Files.setOwner(path, user);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(
                    "This JVM runs as root, so Postgres must run as the '" + UNPRIVILEGED_USER
                            + "' user, which could not be given " + directory + ": " + e.getMessage(),
                    e);
        }
    }

    private static void appendLine(Path file, String line) {
        try {
            Files.writeString(
                    file, "\n" + line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<Path> pgConfigBindir() {
        try {
            Process process = new ProcessBuilder("pg_config", "--bindir")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return process.waitFor() == 0 && !out.isEmpty() ? Optional.of(Path.of(out)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static boolean hasServerBinaries(Path bin) {
        return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"));
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void deleteRecursively(@Nullable Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", root, e.getMessage());
        }
    }
}
