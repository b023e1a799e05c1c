package dev.headwater.command.eventstore;

/** Where a stream stands: its current version and the tenant it belongs to. */
public record StreamHead(StreamId stream, long version, String tenantId) {}
