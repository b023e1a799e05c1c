package dev.headwater.command.node;

import dev.headwater.contract.EventEnvelope;
import java.util.List;
import java.util.Optional;

/** A node aggregate as its events leave it. */
record Node(String id, Status status, long version) {

    enum Status {
        ACTIVE,
        CORDONED,
        REMOVED
    }

    static final String REGISTERED = "NodeRegistered";
    static final String CORDONED = "NodeCordoned";
    static final String REMOVED = "NodeRemoved";

    static Optional<Node> fold(List<EventEnvelope> events) {
        Node node = null;
        for (EventEnvelope event : events) {
            Status status = switch (event.eventType()) {
                case REGISTERED -> Status.ACTIVE;
                case CORDONED -> Status.CORDONED;
                case REMOVED -> Status.REMOVED;
                default ->
                    throw new IllegalStateException(
                            "node stream " + event.aggregateId() + " holds an unknown event " + event.eventType());
            };
            node = new Node(event.aggregateId(), status, event.aggregateVersion());
        }
        return Optional.ofNullable(node);
    }
}
