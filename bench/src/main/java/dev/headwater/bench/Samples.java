package dev.headwater.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The results of several rounds of one measurement: median and spread, never a single lucky run. */
final class Samples {

    private final List<Double> values = new ArrayList<>();
    private final List<Double> loads = new ArrayList<>();

    /** Records one round's value and the machine's 1-minute load average when it ended. */
    void add(double value, double load) {
        values.add(value);
        loads.add(load);
    }

    boolean isEmpty() {
        return values.isEmpty();
    }

    double median() {
        return median(values);
    }

    double min() {
        return Collections.min(values);
    }

    double max() {
        return Collections.max(values);
    }

    /** (max - min) / median, in percent: how far apart the rounds were. */
    double spreadPercent() {
        double median = median();
        return median == 0 ? 0 : 100 * (max() - min()) / median;
    }

    List<Double> values() {
        return List.copyOf(values);
    }

    List<Double> loads() {
        return List.copyOf(loads);
    }

    static double median(List<Double> list) {
        if (list.isEmpty()) {
            throw new IllegalStateException("no rounds were measured");
        }
        List<Double> sorted = new ArrayList<>(list);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
