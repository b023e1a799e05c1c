package dev.headwater.web.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.headwater.web.problem.ApiProblem;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TokenRulesTest {

    @Test
    void a_new_secret_has_the_token_shape_and_its_hash_is_lower_case_sha256_hex() {
        String secret = ApiTokens.newSecret();

        assertThat(ApiTokens.isWellFormed(secret)).isTrue();
        assertThat(ApiTokens.hash(secret)).matches("[0-9a-f]{64}");
        assertThat(ApiTokens.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(ApiTokens.newSecret()).isNotEqualTo(secret);
    }

    @Test
    void only_a_platform_admin_has_no_tenant() {
        assertThatThrownBy(() -> new ApiPrincipal("t", null, ApiRole.TENANT_ADMIN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ApiPrincipal("t", "acme", ApiRole.PLATFORM_ADMIN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void another_tenant_is_not_found_and_a_reader_may_not_write() {
        ApiPrincipal reader = new ApiPrincipal("t", "acme", ApiRole.TENANT_READER);

        Access.requireRead(reader, "acme");
        assertThatThrownBy(() -> Access.requireRead(reader, "globex"))
                .isInstanceOfSatisfying(
                        ApiProblem.class, p -> assertThat(p.status().value()).isEqualTo(404));
        assertThatThrownBy(() -> Access.requireWrite(reader, "acme"))
                .isInstanceOfSatisfying(
                        ApiProblem.class, p -> assertThat(p.status().value()).isEqualTo(403));
        assertThatThrownBy(() -> Access.requireWrite(reader, "globex"))
                .isInstanceOfSatisfying(
                        ApiProblem.class, p -> assertThat(p.status().value()).isEqualTo(404));
        Access.requireWrite(new ApiPrincipal("p", null, ApiRole.PLATFORM_ADMIN), "globex");
    }

    @Test
    void a_found_token_is_remembered_for_the_ttl_and_an_unknown_one_never() {
        MutableClock clock = new MutableClock();
        Map<String, ApiPrincipal> store = new HashMap<>();
        AtomicInteger lookups = new AtomicInteger();
        TokenDirectory directory = TokenDirectories.cached(
                hash -> {
                    lookups.incrementAndGet();
                    return Optional.ofNullable(store.get(hash));
                },
                Duration.ofSeconds(5),
                clock);

        assertThat(directory.findByHash("h")).isEmpty();
        store.put("h", new ApiPrincipal("t", "acme", ApiRole.TENANT_ADMIN));
        assertThat(directory.findByHash("h")).isPresent();
        store.remove("h");
        assertThat(directory.findByHash("h"))
                .as("revocation bites only after the TTL")
                .isPresent();
        clock.advance(Duration.ofSeconds(6));
        assertThat(directory.findByHash("h")).isEmpty();
        assertThat(lookups).hasValue(3);
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-30T00:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
