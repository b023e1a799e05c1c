package dev.headwater.command.token;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.command.CommandServiceApplication;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.PostgresExtension;
import dev.headwater.web.auth.ApiRole;
import dev.headwater.web.auth.ApiTokens;
import dev.headwater.web.auth.TokenDirectory;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A platform started without a configured bootstrap token gets one, once. */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(classes = CommandServiceApplication.class)
class BootstrapTokenIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", postgres::jdbcUrl);
        registry.add("spring.datasource.username", () -> DbRole.APP.roleName());
        registry.add("spring.datasource.password", () -> DbRole.APP.testPassword());
        registry.add("headwater.auth.bootstrap-token", () -> "");
    }

    @Autowired
    BootstrapToken bootstrap;

    @Autowired
    TokenDirectory directory;

    @Test
    void the_first_start_issues_a_platform_admin_token_through_an_event_and_later_starts_do_not(CapturedOutput output) {
        JdbcTemplate owner = new JdbcTemplate(postgres.dataSource(DbRole.OWNER));
        // The context started before this method; run the start-up step again as a second start would.
        bootstrap.afterSingletonsInstantiated();

        assertThat(owner.queryForObject("SELECT count(*) FROM command.api_tokens", Long.class))
                .isEqualTo(1);
        Map<String, Object> event = owner.queryForMap(
                "SELECT tenant_id, aggregate_type, payload ->> 'role' AS role, payload ->> 'tokenHash' AS hash"
                        + " FROM event_log.events WHERE event_type = 'ApiTokenIssued'");
        assertThat(event)
                .containsEntry("tenant_id", "platform")
                .containsEntry("aggregate_type", "api-token")
                .containsEntry("role", "platform-admin");
        assertThat(output.getAll()).contains("A platform-admin token exists; no bootstrap token generated");

        Matcher printed = Pattern.compile("hw_[A-Za-z0-9_-]{43}").matcher(output.getAll());
        assertThat(printed.find())
                .as("the secret is printed on the first start")
                .isTrue();
        String secret = printed.group();
        assertThat(event.get("hash")).isEqualTo(ApiTokens.hash(secret));
        assertThat(directory.findByHash(ApiTokens.hash(secret)))
                .hasValueSatisfying(principal -> assertThat(principal.role()).isEqualTo(ApiRole.PLATFORM_ADMIN));
    }
}
