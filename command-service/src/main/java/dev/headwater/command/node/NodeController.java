package dev.headwater.command.node;

import dev.headwater.command.eventstore.ExpectedVersion;
import dev.headwater.command.http.CommandHttp;
import dev.headwater.command.http.Input;
import dev.headwater.command.http.ResourcesBody;
import dev.headwater.web.auth.Access;
import dev.headwater.web.auth.ApiPrincipal;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/v1/nodes", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "nodes", description = "Register, cordon and remove nodes (platform admins)")
class NodeController {

    private static final int MAX_REASON = 500;

    private final NodeCommands nodes;
    private final CommandHttp http;

    NodeController(NodeCommands nodes, CommandHttp http) {
        this.nodes = nodes;
        this.http = http;
    }

    record RegisterNode(
            @Nullable String nodeId,
            @Nullable ResourcesBody capacity,
            @Nullable Map<String, String> labels) {}

    record Cordon(@Nullable String reason) {}

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Register a node with its capacity and labels", description = "Appends NodeRegistered.")
    ResponseEntity<String> register(
            @RequestBody RegisterNode body, ApiPrincipal principal, HttpServletRequest request) {
        Access.requirePlatformAdmin(principal);
        String nodeId = Input.id("nodeId", body.nodeId());
        var capacity = Input.resources("capacity", body.capacity());
        var labels = Input.labels("labels", body.labels());
        return http.run(
                "node.register",
                request,
                principal,
                body,
                ExpectedVersion.any(),
                false,
                metadata -> nodes.register(nodeId, capacity, labels, metadata));
    }

    @PostMapping(path = "/{nodeId}/cordon", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Cordon a node", description = "Appends NodeCordoned; it takes no new allocations.")
    ResponseEntity<String> cordon(
            @PathVariable String nodeId, @RequestBody Cordon body, ApiPrincipal principal, HttpServletRequest request) {
        Access.requirePlatformAdmin(principal);
        String id = Input.id("nodeId", nodeId);
        String reason = Input.text("reason", body.reason(), MAX_REASON);
        ExpectedVersion pinned = CommandHttp.ifMatch(request);
        return http.run(
                "node.cordon",
                request,
                principal,
                body,
                pinned,
                pinned.isPinned(),
                metadata -> nodes.cordon(id, reason, pinned, metadata));
    }

    @DeleteMapping(path = "/{nodeId}")
    @Operation(summary = "Remove a node", description = "Appends NodeRemoved; refused while it has active allocations.")
    ResponseEntity<String> remove(@PathVariable String nodeId, ApiPrincipal principal, HttpServletRequest request) {
        Access.requirePlatformAdmin(principal);
        String id = Input.id("nodeId", nodeId);
        ExpectedVersion pinned = CommandHttp.ifMatch(request);
        return http.run(
                "node.remove",
                request,
                principal,
                null,
                pinned,
                pinned.isPinned(),
                metadata -> nodes.remove(id, pinned, metadata));
    }
}
