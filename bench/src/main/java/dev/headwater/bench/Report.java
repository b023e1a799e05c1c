package dev.headwater.bench;

import java.util.Locale;
import java.util.stream.Collectors;

/** Prints rounds, medians with spread, and ratios to baselines and targets, one format for all figures. */
final class Report {

    private Report() {}

    static void heading(String text) {
        System.out.println();
        System.out.println("== " + text + " ==");
    }

    static void note(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }

    /** One round's result as it happens, with the load beside it. */
    static void round(String what, int round, double value, String unit, String detail) {
        note(
                "  round %d  %-34s %12s %-9s load %s  %s",
                round, what, number(value), unit, Machine.loadAverages(), detail);
    }

    /** Median, range and spread of a measurement's rounds, with the loads they ran at. */
    static void summary(String what, Samples samples, String unit) {
        note(
                "%-40s median %10s %-9s (min %s, max %s, spread %.0f%%, %d rounds, loads %s)",
                what,
                number(samples.median()),
                unit,
                number(samples.min()),
                number(samples.max()),
                samples.spreadPercent(),
                samples.values().size(),
                samples.loads().stream()
                        .map(l -> String.format(Locale.ROOT, "%.1f", l))
                        .collect(Collectors.joining("/")));
    }

    /** A ratio of medians, against its target ratio (figure over baseline, or ours over a peer). */
    static void ratio(String what, double figure, double baseline, double target) {
        double ratio = figure / baseline;
        note("%-40s %.2fx   target >= %.2fx: %s", what, ratio, target, ratio >= target ? "MET" : "MISSED");
    }

    /** An absolute target: {@code atLeast} says whether higher is better. */
    static void target(String what, double value, String unit, double target, boolean atLeast) {
        boolean met = atLeast ? value >= target : value <= target;
        note(
                "%-40s %s %s   target %s %s %s: %s (%.2fx of target)",
                what,
                number(value),
                unit,
                atLeast ? ">=" : "<=",
                number(target),
                unit,
                met ? "MET" : "MISSED",
                value / target);
    }

    static String number(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        if (Math.abs(value) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
