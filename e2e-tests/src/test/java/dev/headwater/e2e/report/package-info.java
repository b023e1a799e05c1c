/** The per-scenario summary table, printed and written to {@code target/e2e-summary.md}. */
@NullMarked
package dev.headwater.e2e.report;

import org.jspecify.annotations.NullMarked;
