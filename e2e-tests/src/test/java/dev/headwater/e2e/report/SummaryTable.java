package dev.headwater.e2e.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The per-scenario summary, as a Markdown table: printed after each scenario and rewritten to a file,
 * so that a run that dies half way still leaves the rows it finished.
 */
public final class SummaryTable {

    private final Path file;
    private final String title;
    private final List<ScenarioResult> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public SummaryTable(Path file, String title) {
        this.file = file;
        this.title = title;
    }

    public synchronized void add(ScenarioResult result) {
        rows.add(result);
        write();
    }

    public synchronized void note(String note) {
        notes.add(note);
        write();
    }

    public synchronized String render() {
        StringBuilder text = new StringBuilder("# ").append(title).append("\n\n");
        text.append("| scenario | commands acknowledged (refused) | events | faults | kills | duplicates re-sent"
                + " | anomalies | read-your-writes fresh / 503 / stale | time to converge | took |\n");
        text.append("|---|---:|---:|---|---:|---:|---:|---|---:|---:|\n");
        for (ScenarioResult row : rows) {
            text.append("| ")
                    .append(row.scenario())
                    .append(" | ")
                    .append(row.commands())
                    .append(" (")
                    .append(row.rejected())
                    .append(") | ")
                    .append(row.events())
                    .append(" | ")
                    .append(row.faults())
                    .append(" | ")
                    .append(row.kills())
                    .append(" | ")
                    .append(row.duplicates())
                    .append(" | ")
                    .append(row.anomalies())
                    .append(" | ")
                    .append(
                            row.rywFresh() + row.rywUnavailable() + row.rywStale() == 0
                                    ? "-"
                                    : row.rywFresh() + " / " + row.rywUnavailable() + " / " + row.rywStale())
                    .append(" | ")
                    .append(seconds(row.converged()))
                    .append(" | ")
                    .append(seconds(row.took()))
                    .append(" |\n");
        }
        if (!notes.isEmpty()) {
            text.append('\n');
            notes.forEach(note -> text.append("- ").append(note).append('\n'));
        }
        return text.toString();
    }

    private void write() {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, render(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Writing " + file + " failed", e);
        }
    }

    private static String seconds(@Nullable Duration duration) {
        return duration == null ? "not converged" : String.format("%.1f s", duration.toMillis() / 1000.0);
    }
}
