package dev.headwater.command.token;

import dev.headwater.command.controlplane.ControlPlane;
import dev.headwater.command.eventstore.AppendResult;
import dev.headwater.command.eventstore.EventStore;
import dev.headwater.command.eventstore.ExpectedVersion;
import dev.headwater.command.eventstore.NewEvent;
import dev.headwater.command.eventstore.StreamId;
import dev.headwater.command.eventstore.WrongExpectedVersion;
import dev.headwater.command.execution.AccessCheck;
import dev.headwater.command.execution.Aggregates;
import dev.headwater.command.execution.CommandOutcome;
import dev.headwater.command.execution.CommandRejected;
import dev.headwater.command.execution.CommandRejected.Reason;
import dev.headwater.command.tenant.TenantCommands;
import dev.headwater.contract.EventMetadata;
import dev.headwater.web.auth.ApiRole;
import dev.headwater.web.auth.ApiTokens;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Issue and revoke; each runs inside a {@code CommandExecutor} transaction. */
@Component
public class TokenCommands {

    static final String INSERT = """
            INSERT INTO command.api_tokens (token_id, tenant_id, role, token_hash) VALUES (?, ?, ?, ?)
            """;
    static final String MARK_REVOKED = "UPDATE command.api_tokens SET revoked = true WHERE token_id = ?";

    private final EventStore events;
    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final TenantCommands tenants;

    public TokenCommands(EventStore events, JdbcTemplate jdbc, JsonMapper json, TenantCommands tenants) {
        this.events = events;
        this.jdbc = jdbc;
        this.json = json;
        this.tenants = tenants;
    }

    public static StreamId stream(UUID tokenId) {
        return new StreamId(ControlPlane.API_TOKEN, tokenId.toString());
    }

    /**
     * Issues a token. Platform-admin tokens belong to the tenant {@code platform}; the others to an
     * existing tenant. The secret is in the outcome once and stored nowhere.
     */
    public CommandOutcome issue(String tenantId, ApiRole role, String name, EventMetadata metadata) {
        boolean platform = role == ApiRole.PLATFORM_ADMIN;
        if (platform != ControlPlane.PLATFORM_TENANT.equals(tenantId)) {
            throw new CommandRejected(
                    Reason.INVALID,
                    platform
                            ? "a platform-admin token belongs to no tenant; leave tenantId out"
                            : "a " + role.wireName() + " token belongs to a tenant, not the platform",
                    "tenantId");
        }
        if (!platform && !tenants.exists(tenantId)) {
            throw new CommandRejected(Reason.NOT_FOUND, "no tenant " + tenantId, "tenantId");
        }
        UUID tokenId = UUID.randomUUID();
        String secret = ApiTokens.newSecret();
        String hash = ApiTokens.hash(secret);
        jdbc.update(INSERT, tokenId, tenantId, role.wireName(), hash);
        ObjectNode payload = json.createObjectNode();
        payload.put("tokenHash", hash);
        payload.put("role", role.wireName());
        payload.put("name", name);
        AppendResult append = events.append(
                stream(tokenId),
                tenantId,
                ExpectedVersion.noStream(),
                List.of(NewEvent.of(ApiToken.ISSUED, payload, metadata)));
        return CommandOutcome.created(
                        append,
                        "/v1/streams/api-token/" + tokenId + "/events",
                        Map.of(
                                "tokenId",
                                tokenId.toString(),
                                "tenantId",
                                tenantId,
                                "role",
                                role.wireName(),
                                "name",
                                name))
                .withSecret("secret", secret);
    }

    public CommandOutcome revoke(
            UUID tokenId, String reason, AccessCheck access, ExpectedVersion pinned, EventMetadata metadata) {
        StreamId stream = stream(tokenId);
        ApiToken token = Aggregates.load(events, stream, ApiToken::fold, ApiToken::version, ExpectedVersion.any());
        access.requireWrite(token.tenantId());
        if (!pinned.matches(token.version())) {
            throw new WrongExpectedVersion(stream, pinned, token.version());
        }
        if (token.revoked()) {
            throw new CommandRejected(Reason.INVALID_STATE, "token " + tokenId + " is already revoked");
        }
        jdbc.update(MARK_REVOKED, tokenId);
        ObjectNode payload = json.createObjectNode();
        payload.put("reason", reason);
        AppendResult append = events.append(
                stream,
                token.tenantId(),
                ExpectedVersion.exactly(token.version()),
                List.of(NewEvent.of(ApiToken.REVOKED, payload, metadata)));
        return CommandOutcome.ok(append, Map.of("tokenId", tokenId.toString(), "status", "revoked"));
    }
}
