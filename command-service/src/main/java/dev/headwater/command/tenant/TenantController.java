package dev.headwater.command.tenant;

import dev.headwater.command.eventstore.ExpectedVersion;
import dev.headwater.command.http.CommandHttp;
import dev.headwater.command.http.Input;
import dev.headwater.command.http.ResourcesBody;
import dev.headwater.web.auth.Access;
import dev.headwater.web.auth.ApiPrincipal;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/v1/tenants", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "tenants", description = "Create tenants, set their quota, suspend and reactivate them (platform admins)")
class TenantController {

    private static final int MAX_NAME = 200;
    private static final int MAX_REASON = 500;

    private final TenantCommands tenants;
    private final CommandHttp http;

    TenantController(TenantCommands tenants, CommandHttp http) {
        this.tenants = tenants;
        this.http = http;
    }

    record CreateTenant(
            @Nullable String tenantId,
            @Nullable String name,
            @Nullable ResourcesBody quota) {}

    record Suspend(@Nullable String reason) {}

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create a tenant with its quota", description = "Appends TenantCreated.")
    ResponseEntity<String> create(@RequestBody CreateTenant body, ApiPrincipal principal, HttpServletRequest request) {
        Access.requirePlatformAdmin(principal);
        String tenantId = Input.id("tenantId", body.tenantId());
        String name = Input.text("name", body.name(), MAX_NAME);
        var quota = Input.resources("quota", body.quota());
        return http.run(
                "tenant.create",
                request,
                principal,
                body,
                ExpectedVersion.any(),
                false,
                metadata -> tenants.create(tenantId, name, quota, metadata));
    }

    @PutMapping(path = "/{tenantId}/quota", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Set a tenant's quota", description = "Appends TenantQuotaSet. If-Match pins the version.")
    ResponseEntity<String> setQuota(
            @PathVariable String tenantId,
            @RequestBody ResourcesBody body,
            ApiPrincipal principal,
            HttpServletRequest request) {
        String id = Input.id("tenantId", tenantId);
        Access.requireRead(principal, id);
        Access.requirePlatformAdmin(principal);
        var quota = Input.resources("quota", body);
        ExpectedVersion pinned = CommandHttp.ifMatch(request);
        return http.run(
                "tenant.set-quota",
                request,
                principal,
                body,
                pinned,
                pinned.isPinned(),
                metadata -> tenants.setQuota(id, quota, pinned, metadata));
    }

    @PostMapping(path = "/{tenantId}/suspend", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Suspend a tenant", description = "Appends TenantSuspended; it gets no new allocations.")
    ResponseEntity<String> suspend(
            @PathVariable String tenantId,
            @RequestBody Suspend body,
            ApiPrincipal principal,
            HttpServletRequest request) {
        String id = Input.id("tenantId", tenantId);
        Access.requireRead(principal, id);
        Access.requirePlatformAdmin(principal);
        String reason = Input.text("reason", body.reason(), MAX_REASON);
        ExpectedVersion pinned = CommandHttp.ifMatch(request);
        return http.run(
                "tenant.suspend",
                request,
                principal,
                body,
                pinned,
                pinned.isPinned(),
                metadata -> tenants.suspend(id, reason, pinned, metadata));
    }

    @PostMapping(path = "/{tenantId}/reactivate")
    @Operation(summary = "Reactivate a suspended tenant", description = "Appends TenantReactivated.")
    ResponseEntity<String> reactivate(
            @PathVariable String tenantId, ApiPrincipal principal, HttpServletRequest request) {
        String id = Input.id("tenantId", tenantId);
        Access.requireRead(principal, id);
        Access.requirePlatformAdmin(principal);
        ExpectedVersion pinned = CommandHttp.ifMatch(request);
        return http.run(
                "tenant.reactivate",
                request,
                principal,
                null,
                pinned,
                pinned.isPinned(),
                metadata -> tenants.reactivate(id, pinned, metadata));
    }
}
