package dev.headwater.e2e.check;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything a check found wrong, by category ({@code kafka.missing}, {@code view.tenant_overview},
 * ...). Each anomaly is a sentence that names what it is about, so the same defect found again in a
 * later check is recognised as the same one.
 */
public final class Anomalies {

    private final Set<String> all = new LinkedHashSet<>();
    private final Map<String, Integer> counts = new TreeMap<>();

    void add(String category, String description) {
        if (all.add(category + ": " + description)) {
            counts.merge(category, 1, Integer::sum);
        }
    }

    public int size() {
        return all.size();
    }

    public boolean isEmpty() {
        return all.isEmpty();
    }

    public Map<String, Integer> counts() {
        return Map.copyOf(counts);
    }

    public Set<String> all() {
        return Set.copyOf(all);
    }

    /** The anomalies found here that {@code before} did not have. */
    public List<String> newSince(Set<String> before) {
        List<String> fresh = new ArrayList<>();
        for (String anomaly : all) {
            if (!before.contains(anomaly)) {
                fresh.add(anomaly);
            }
        }
        return fresh;
    }

    /** The first {@code limit} anomalies of each category, for a failure message. */
    public String describe(int limit) {
        if (all.isEmpty()) {
            return "no anomalies";
        }
        StringBuilder text = new StringBuilder(all.size() + " anomalies " + counts + ":");
        Map<String, Integer> shown = new TreeMap<>();
        for (String anomaly : all) {
            String category = anomaly.substring(0, anomaly.indexOf(':'));
            if (shown.merge(category, 1, Integer::sum) <= limit) {
                text.append("\n  - ").append(anomaly);
            }
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return describe(5);
    }
}
