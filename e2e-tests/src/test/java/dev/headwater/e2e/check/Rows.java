package dev.headwater.e2e.check;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Rows of one table in a canonical text form, keyed by primary key, so that rows computed from the
 * log and rows read from Postgres compare as plain strings (and print readably when they differ).
 */
final class Rows {

    /** A table and its columns, primary key first. */
    record Table(String schema, String name, int keyColumns, List<String> columns) {

        String qualified() {
            return schema + "." + name;
        }
    }

    private final Table table;
    private final Map<String, String> rows = new TreeMap<>();

    Rows(Table table) {
        this.table = table;
    }

    Table table() {
        return table;
    }

    /** Adds a row; {@code values} in the table's column order. */
    void put(Object... values) {
        if (values.length != table.columns().size()) {
            throw new IllegalArgumentException(
                    table.name() + " has " + table.columns().size() + " columns, got " + values.length + " values");
        }
        List<String> cells = new ArrayList<>(values.length);
        for (Object value : values) {
            cells.add(cell(value));
        }
        String key = String.join("|", cells.subList(0, table.keyColumns()));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            text.append(i == 0 ? "" : " ")
                    .append(table.columns().get(i))
                    .append('=')
                    .append(cells.get(i));
        }
        rows.put(key, text.toString());
    }

    Map<String, String> byKey() {
        return rows;
    }

    int size() {
        return rows.size();
    }

    /** Each missing, extra or different row as an anomaly of category {@code <prefix>.<table>}. */
    void compareWith(Rows actual, String prefix, Anomalies anomalies) {
        String category = prefix + "." + table.name();
        rows.forEach((key, expected) -> {
            String found = actual.rows.get(key);
            if (found == null) {
                anomalies.add(category, "missing row " + expected);
            } else if (!found.equals(expected)) {
                anomalies.add(category, "row " + key + " is " + found + " but the log says " + expected);
            }
        });
        actual.rows.forEach((key, found) -> {
            if (!rows.containsKey(key)) {
                anomalies.add(category, "row " + found + " has no ground in the log");
            }
        });
    }

    static String cell(@Nullable Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof BigDecimal decimal) {
            return decimal.signum() == 0 ? "0" : decimal.stripTrailingZeros().toPlainString();
        }
        if (value instanceof JsonNode json) {
            return canonical(json);
        }
        if (value instanceof Instant || value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        return "'" + value + "'";
    }

    /** JSON with object keys sorted, so that jsonb (which reorders keys) and the log's text agree. */
    static String canonical(JsonNode json) {
        if (json.isObject()) {
            Map<String, String> sorted = new TreeMap<>();
            json.properties().forEach(entry -> sorted.put(entry.getKey(), canonical(entry.getValue())));
            StringBuilder text = new StringBuilder("{");
            sorted.forEach((k, v) -> text.append(text.length() > 1 ? "," : "")
                    .append('"')
                    .append(k)
                    .append("\":")
                    .append(v));
            return text.append('}').toString();
        }
        if (json.isArray()) {
            List<String> items = new ArrayList<>();
            json.forEach(item -> items.add(canonical(item)));
            return "[" + String.join(",", items) + "]";
        }
        return json.toString();
    }
}
