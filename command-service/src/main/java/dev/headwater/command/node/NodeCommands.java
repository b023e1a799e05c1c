package dev.headwater.command.node;

import dev.headwater.command.controlplane.ControlPlane;
import dev.headwater.command.controlplane.Resources;
import dev.headwater.command.eventstore.AppendResult;
import dev.headwater.command.eventstore.EventStore;
import dev.headwater.command.eventstore.ExpectedVersion;
import dev.headwater.command.eventstore.NewEvent;
import dev.headwater.command.eventstore.StreamId;
import dev.headwater.command.execution.Aggregates;
import dev.headwater.command.execution.CommandOutcome;
import dev.headwater.command.execution.CommandRejected;
import dev.headwater.command.execution.CommandRejected.Reason;
import dev.headwater.contract.EventMetadata;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The node commands; each runs inside a {@code CommandExecutor} transaction. */
@Component
public class NodeCommands {

    static final String INSERT = """
            INSERT INTO command.nodes (node_id, status, capacity_cpu_millis, capacity_memory_mib, capacity_gpus)
            VALUES (?, 'active', ?, ?, ?)
            """;
    static final String SET_STATUS = "UPDATE command.nodes SET status = ? WHERE node_id = ?";
    /** Locks the node row: a placement on this node waits, or is waited for. */
    static final String LOCK = "SELECT node_id FROM command.nodes WHERE node_id = ? FOR UPDATE";

    static final String ACTIVE_ALLOCATIONS =
            "SELECT count(*) FROM command.allocations WHERE node_id = ? AND NOT released";

    private final EventStore events;
    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    public NodeCommands(EventStore events, JdbcTemplate jdbc, JsonMapper json) {
        this.events = events;
        this.jdbc = jdbc;
        this.json = json;
    }

    public static StreamId stream(String nodeId) {
        return new StreamId(ControlPlane.NODE, nodeId);
    }

    public CommandOutcome register(
            String nodeId, Resources capacity, Map<String, String> labels, EventMetadata metadata) {
        if (events.currentVersion(stream(nodeId)) > 0) {
            throw new CommandRejected(
                    Reason.ALREADY_EXISTS,
                    "node " + nodeId + " was registered before; node ids are never reused",
                    "nodeId");
        }
        ObjectNode payload = json.createObjectNode();
        payload.set("capacity", json.valueToTree(capacity.toJson()));
        payload.set("labels", json.valueToTree(new java.util.TreeMap<>(labels)));
        AppendResult append = events.append(
                stream(nodeId),
                ControlPlane.PLATFORM_TENANT,
                ExpectedVersion.noStream(),
                List.of(NewEvent.of(Node.REGISTERED, payload, metadata)));
        jdbc.update(INSERT, nodeId, capacity.cpuMillis(), capacity.memoryMib(), capacity.gpus());
        return CommandOutcome.created(append, "/v1/streams/node/" + nodeId + "/events", Map.of("nodeId", nodeId));
    }

    public CommandOutcome cordon(String nodeId, String reason, ExpectedVersion pinned, EventMetadata metadata) {
        Node node = load(nodeId, pinned);
        if (node.status() != Node.Status.ACTIVE) {
            throw new CommandRejected(
                    Reason.INVALID_STATE,
                    "node " + nodeId + " is " + node.status().name().toLowerCase());
        }
        ObjectNode payload = json.createObjectNode();
        payload.put("reason", reason);
        AppendResult append = append(node, Node.CORDONED, payload, metadata);
        jdbc.update(SET_STATUS, "cordoned", nodeId);
        return CommandOutcome.ok(append, Map.of("nodeId", nodeId, "status", "cordoned"));
    }

    public CommandOutcome remove(String nodeId, ExpectedVersion pinned, EventMetadata metadata) {
        Node node = load(nodeId, pinned);
        if (node.status() == Node.Status.REMOVED) {
            throw new CommandRejected(Reason.INVALID_STATE, "node " + nodeId + " is already removed");
        }
        jdbc.queryForList(LOCK, String.class, nodeId);
        Long active = jdbc.queryForObject(ACTIVE_ALLOCATIONS, Long.class, nodeId);
        if (active != null && active > 0) {
            throw new CommandRejected(
                    Reason.INVALID_STATE,
                    "node " + nodeId + " has " + active + " active allocations; release them before removing it");
        }
        AppendResult append = append(node, Node.REMOVED, json.createObjectNode(), metadata);
        jdbc.update(SET_STATUS, "removed", nodeId);
        return CommandOutcome.ok(append, Map.of("nodeId", nodeId, "status", "removed"));
    }

    private Node load(String nodeId, ExpectedVersion pinned) {
        return Aggregates.load(events, stream(nodeId), Node::fold, Node::version, pinned);
    }

    private AppendResult append(Node node, String type, ObjectNode payload, EventMetadata metadata) {
        return events.append(
                stream(node.id()),
                ControlPlane.PLATFORM_TENANT,
                ExpectedVersion.exactly(node.version()),
                List.of(NewEvent.of(type, payload, metadata)));
    }
}
