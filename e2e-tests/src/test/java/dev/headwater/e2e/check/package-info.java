/**
 * The checker: reads the event log (the truth), every topic with a plain consumer and the views,
 * and reports what does not agree: events missing from Kafka, duplicates, order violations per
 * aggregate, views that differ from the state recomputed from the log, applied versions that differ
 * from the log, and acknowledged commands the log does not hold (or the other way round).
 */
@NullMarked
package dev.headwater.e2e.check;

import org.jspecify.annotations.NullMarked;
