package dev.headwater.command.eventstore;

import dev.headwater.contract.EventEnvelope;
import java.util.List;

/**
 * A page of the catch-up feed and the cursor to ask from next; {@code next} equals the request's
 * cursor when nothing new is visible yet.
 */
public record FeedPage(List<EventEnvelope> events, FeedCursor next) {

    public FeedPage {
        events = List.copyOf(events);
    }
}
