package dev.headwater.web.auth;

import java.time.Clock;
import java.time.Duration;

/** Decorations of a {@link TokenDirectory}. */
public final class TokenDirectories {

    private TokenDirectories() {}

    /** Remembers found tokens for {@code ttl}; a zero TTL returns the directory as it is. */
    public static TokenDirectory cached(TokenDirectory directory, Duration ttl, Clock clock) {
        return ttl.isZero() ? directory : new CachingTokenDirectory(directory, ttl, clock);
    }
}
