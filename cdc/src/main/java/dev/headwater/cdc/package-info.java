/**
 * The CDC relay: an embedded Debezium engine reads the event log's changes from a logical
 * replication slot and publishes each committed event to Kafka before it commits its offset.
 */
@NullMarked
package dev.headwater.cdc;

import org.jspecify.annotations.NullMarked;
