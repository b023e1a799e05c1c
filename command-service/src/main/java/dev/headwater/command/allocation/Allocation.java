package dev.headwater.command.allocation;

import dev.headwater.command.controlplane.Resources;
import dev.headwater.contract.EventEnvelope;
import java.util.List;
import java.util.Optional;

/** An allocation aggregate as its events leave it. */
record Allocation(String id, String tenantId, String nodeId, Resources resources, boolean released, long version) {

    static final String PLACED = "AllocationPlaced";
    static final String RELEASED = "AllocationReleased";

    static Optional<Allocation> fold(List<EventEnvelope> events) {
        Allocation allocation = null;
        for (EventEnvelope event : events) {
            allocation = switch (event.eventType()) {
                case PLACED ->
                    new Allocation(
                            event.aggregateId(),
                            event.payload().required("tenantId").asString(),
                            event.payload().required("nodeId").asString(),
                            Resources.fromJson(event.payload().required("resources")),
                            false,
                            event.aggregateVersion());
                case RELEASED -> {
                    if (allocation == null) {
                        throw new IllegalStateException(
                                "allocation stream " + event.aggregateId() + " does not start with " + PLACED);
                    }
                    yield new Allocation(
                            allocation.id,
                            allocation.tenantId,
                            allocation.nodeId,
                            allocation.resources,
                            true,
                            event.aggregateVersion());
                }
                default ->
                    throw new IllegalStateException("allocation stream " + event.aggregateId()
                            + " holds an unknown event " + event.eventType());
            };
        }
        return Optional.ofNullable(allocation);
    }
}
