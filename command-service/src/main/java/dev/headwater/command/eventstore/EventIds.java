package dev.headwater.command.eventstore;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.util.UUID;

/**
 * New event ids: version 7 UUIDs, whose leading 48 bits are the Unix time in milliseconds and
 * which increase within a millisecond too. Ids handed out one after another therefore sort in
 * that order, so the unique index on {@code event_id} takes each new id at its right edge instead
 * of at a random leaf (docs/adr/0040). Consumers still treat the id as an opaque dedupe key.
 */
public final class EventIds {

    // Thread-safe: the generator serialises its clock and counter under its own lock.
    private static final TimeBasedEpochGenerator GENERATOR = Generators.timeBasedEpochGenerator();

    private EventIds() {}

    /** A fresh, time-ordered event id. */
    public static UUID next() {
        return GENERATOR.generate();
    }
}
