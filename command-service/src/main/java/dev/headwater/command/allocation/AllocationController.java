package dev.headwater.command.allocation;

import dev.headwater.command.eventstore.ExpectedVersion;
import dev.headwater.command.http.CommandHttp;
import dev.headwater.command.http.Input;
import dev.headwater.command.http.ResourcesBody;
import dev.headwater.web.auth.Access;
import dev.headwater.web.auth.ApiPrincipal;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "allocations", description = "Place workloads within quota and capacity, release them")
class AllocationController {

    private static final int MAX_WORKLOAD = 200;

    private final AllocationCommands allocations;
    private final CommandHttp http;

    AllocationController(AllocationCommands allocations, CommandHttp http) {
        this.allocations = allocations;
        this.http = http;
    }

    record PlaceWorkload(
            @Nullable String workload, @Nullable ResourcesBody resources) {}

    @PostMapping(
            path = "/v1/tenants/{tenantId}/allocations",
            consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Place a workload",
            description =
                    "The scheduler picks the schedulable node with the least free capacity that fits"
                            + " (GPUs, then CPU, then memory, then node id) within the tenant's quota. Appends AllocationPlaced.")
    ResponseEntity<String> place(
            @PathVariable String tenantId,
            @RequestBody PlaceWorkload body,
            ApiPrincipal principal,
            HttpServletRequest request) {
        String id = Input.id("tenantId", tenantId);
        Access.requireWrite(principal, id);
        String workload = Input.text("workload", body.workload(), MAX_WORKLOAD);
        var resources = Input.resources("resources", body.resources());
        return http.run(
                "allocation.place",
                request,
                principal,
                body,
                ExpectedVersion.any(),
                false,
                metadata -> allocations.place(id, workload, resources, metadata));
    }

    @DeleteMapping(path = "/v1/allocations/{allocationId}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Release an allocation", description = "Appends AllocationReleased.")
    ResponseEntity<String> release(
            @PathVariable String allocationId, ApiPrincipal principal, HttpServletRequest request) {
        UUID id = Input.uuid("allocationId", allocationId);
        ExpectedVersion pinned = CommandHttp.ifMatch(request);
        return http.run(
                "allocation.release",
                request,
                principal,
                null,
                pinned,
                pinned.isPinned(),
                metadata ->
                        allocations.release(id, tenant -> Access.requireWrite(principal, tenant), pinned, metadata));
    }
}
