package dev.headwater.command.token;

import dev.headwater.command.controlplane.ControlPlane;
import dev.headwater.command.eventstore.ExpectedVersion;
import dev.headwater.command.http.CommandHttp;
import dev.headwater.command.http.Input;
import dev.headwater.web.auth.Access;
import dev.headwater.web.auth.ApiPrincipal;
import dev.headwater.web.auth.ApiRole;
import dev.headwater.web.problem.ApiProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping(path = "/v1/tokens", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "tokens", description = "Issue and revoke API tokens")
class TokenController {

    private static final int MAX_NAME = 200;
    private static final int MAX_REASON = 500;

    private final TokenCommands tokens;
    private final CommandHttp http;

    TokenController(TokenCommands tokens, CommandHttp http) {
        this.tokens = tokens;
        this.http = http;
    }

    record IssueToken(
            @Nullable String tenantId,
            @Nullable String role,
            @Nullable String name) {}

    record RevokeToken(@Nullable String reason) {}

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Issue a token",
            description = "The secret is in this response only; a replay under the same Idempotency-Key answers"
                    + " without it. Platform admins issue any role; tenant admins tokens of their own tenant.")
    ResponseEntity<String> issue(@RequestBody IssueToken body, ApiPrincipal principal, HttpServletRequest request) {
        ApiRole role = ApiRole.fromWireName(Input.required("role", body.role()))
                .orElseThrow(() -> ApiProblem.badRequest(
                        "role", "role must be one of platform-admin, tenant-admin, tenant-reader"));
        String name = Input.text("name", body.name(), MAX_NAME);
        String tenantId;
        if (role == ApiRole.PLATFORM_ADMIN) {
            if (body.tenantId() != null) {
                throw ApiProblem.badRequest(
                        "tenantId", "a platform-admin token belongs to no tenant; leave tenantId out");
            }
            Access.requirePlatformAdmin(principal);
            tenantId = ControlPlane.PLATFORM_TENANT;
        } else {
            tenantId = body.tenantId() == null && principal.tenantId() != null
                    ? principal.tenantId()
                    : Input.id("tenantId", body.tenantId());
            Access.requireWrite(principal, tenantId);
        }
        return http.run(
                "token.issue",
                request,
                principal,
                body,
                ExpectedVersion.any(),
                false,
                metadata -> tokens.issue(tenantId, role, name, metadata));
    }

    @PostMapping(path = "/{tokenId}/revoke", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Revoke a token", description = "Appends ApiTokenRevoked; the token stops working.")
    ResponseEntity<String> revoke(
            @PathVariable String tokenId,
            @RequestBody RevokeToken body,
            ApiPrincipal principal,
            HttpServletRequest request) {
        UUID id = Input.uuid("tokenId", tokenId);
        String reason = Input.text("reason", body.reason(), MAX_REASON);
        ExpectedVersion pinned = CommandHttp.ifMatch(request);
        return http.run(
                "token.revoke",
                request,
                principal,
                body,
                pinned,
                pinned.isPinned(),
                metadata ->
                        tokens.revoke(id, reason, tenant -> Access.requireWrite(principal, tenant), pinned, metadata));
    }
}
