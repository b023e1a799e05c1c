package dev.headwater.command.token;

import dev.headwater.command.controlplane.ControlPlane;
import dev.headwater.command.execution.CommandOutcome;
import dev.headwater.contract.EventMetadata;
import dev.headwater.web.auth.ApiRole;
import dev.headwater.web.auth.AuthProperties;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Without {@code headwater.auth.bootstrap-token}, nobody could issue the first token. So on the
 * first start of a platform that has never had a platform-admin token, this issues one through the
 * ordinary command (an {@code ApiTokenIssued} event, tenant {@code platform}, so the projector
 * learns it too) and prints its secret once. Later starts find a platform-admin token and do
 * nothing; an advisory lock keeps two instances starting together from both issuing one.
 */
@Component
class BootstrapToken implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(BootstrapToken.class);

    /** Any constant works; it only has to be the same for every instance. */
    static final long LOCK_KEY = 0x6877_626f_6f74L;

    static final String LOCK = "SELECT pg_advisory_xact_lock(?)";
    static final String PLATFORM_ADMIN_EVER_ISSUED =
            "SELECT count(*) FROM command.api_tokens WHERE role = 'platform-admin'";

    private final AuthProperties auth;
    private final TransactionTemplate transactions;
    private final TokenCommands tokens;
    private final JdbcTemplate jdbc;

    BootstrapToken(
            AuthProperties auth,
            PlatformTransactionManager transactionManager,
            TokenCommands tokens,
            JdbcTemplate jdbc) {
        this.auth = auth;
        this.transactions = new TransactionTemplate(transactionManager);
        this.tokens = tokens;
        this.jdbc = jdbc;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (auth.bootstrapToken() != null) {
            log.info("Bootstrap token configured (headwater.auth.bootstrap-token)");
            return;
        }
        EventMetadata metadata =
                new EventMetadata("system:command-service", UUID.randomUUID().toString(), null, null, null);
        CommandOutcome outcome = transactions.execute(status -> {
            jdbc.queryForObject(LOCK, Object.class, LOCK_KEY);
            Long issued = jdbc.queryForObject(PLATFORM_ADMIN_EVER_ISSUED, Long.class);
            if (issued != null && issued > 0) {
                return null;
            }
            return tokens.issue(
                    ControlPlane.PLATFORM_TENANT,
                    ApiRole.PLATFORM_ADMIN,
                    "bootstrap (generated on first start)",
                    metadata);
        });
        if (outcome == null) {
            log.info("A platform-admin token exists; no bootstrap token generated");
            return;
        }
        Object tokenId = outcome.fields().get("tokenId");
        log.warn(
                "\n*** No headwater.auth.bootstrap-token is configured and this platform has no platform-admin token,"
                        + "\n*** so one was generated (token id {}). It is shown this once and stored only as a hash:"
                        + "\n***\n***     {}\n***\n*** Keep it secret; revoke it with POST /v1/tokens/{}/revoke once you have"
                        + " issued your own tokens.",
                tokenId,
                outcome.fields().get("secret"),
                tokenId);
    }
}
