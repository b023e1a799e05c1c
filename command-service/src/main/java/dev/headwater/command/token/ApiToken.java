package dev.headwater.command.token;

import dev.headwater.contract.EventEnvelope;
import java.util.List;
import java.util.Optional;

/** An API token aggregate as its events leave it (the secret is never part of it). */
record ApiToken(String id, String tenantId, String role, boolean revoked, long version) {

    static final String ISSUED = "ApiTokenIssued";
    static final String REVOKED = "ApiTokenRevoked";

    static Optional<ApiToken> fold(List<EventEnvelope> events) {
        ApiToken token = null;
        for (EventEnvelope event : events) {
            token = switch (event.eventType()) {
                case ISSUED ->
                    new ApiToken(
                            event.aggregateId(),
                            event.tenantId(),
                            event.payload().required("role").asString(),
                            false,
                            event.aggregateVersion());
                case REVOKED -> {
                    if (token == null) {
                        throw new IllegalStateException(
                                "api-token stream " + event.aggregateId() + " does not start with " + ISSUED);
                    }
                    yield new ApiToken(token.id, token.tenantId, token.role, true, event.aggregateVersion());
                }
                default ->
                    throw new IllegalStateException(
                            "api-token stream " + event.aggregateId() + " holds an unknown event " + event.eventType());
            };
        }
        return Optional.ofNullable(token);
    }
}
