package dev.headwater.web.auth;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Authentication settings ({@code headwater.auth.*}).
 *
 * @param bootstrapToken a platform-admin secret accepted by every service without a lookup, so the
 *     first tokens can be issued; must have the shape of a token ({@code hw_} + 43 base64url
 *     characters). Unset by default.
 * @param cacheTtl how long a found token is remembered; revocations take up to this long. 0
 *     disables the cache. Default 5s.
 * @param publicPaths paths served without a token. Default: actuator, the OpenAPI document and UI,
 *     the error page.
 */
@ConfigurationProperties("headwater.auth")
public record AuthProperties(
        @Nullable String bootstrapToken,
        @DefaultValue("5s") Duration cacheTtl,

        @DefaultValue({"/actuator/**", "/v3/api-docs/**", "/swagger-ui/**", "/swagger-ui.html", "/error"})
        List<String> publicPaths) {

    public AuthProperties {
        if (bootstrapToken != null && bootstrapToken.isBlank()) {
            bootstrapToken = null;
        }
        if (bootstrapToken != null && !ApiTokens.isWellFormed(bootstrapToken)) {
            throw new IllegalArgumentException("headwater.auth.bootstrap-token must look like a token: "
                    + ApiTokens.PREFIX + " followed by 43 base64url characters (256 random bits)");
        }
        if (cacheTtl.isNegative()) {
            throw new IllegalArgumentException("headwater.auth.cache-ttl must not be negative");
        }
    }

    @Override
    public String toString() {
        return "AuthProperties[bootstrapToken=" + (bootstrapToken == null ? "unset" : "set") + ", cacheTtl=" + cacheTtl
                + ", publicPaths=" + publicPaths + "]";
    }
}
