package dev.headwater.projector.node;

/** The values of {@code node_utilisation.status}. */
final class NodeStatus {
    static final String READY = "ready";
    static final String CORDONED = "cordoned";
    static final String REMOVED = "removed";

    private NodeStatus() {}
}
