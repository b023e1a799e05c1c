package dev.headwater.web.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers found tokens for a short time, so a busy client costs one lookup per TTL rather than
 * one per request. A revocation therefore takes up to the TTL to bite; unknown tokens are never
 * cached (a token issued a moment ago works at once).
 */
final class CachingTokenDirectory implements TokenDirectory {

    private static final int MAX_ENTRIES = 10_000;

    private final TokenDirectory delegate;
    private final Duration ttl;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    CachingTokenDirectory(TokenDirectory delegate, Duration ttl, Clock clock) {
        this.delegate = delegate;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public Optional<ApiPrincipal> findByHash(String sha256Hex) {
        Instant now = clock.instant();
        Entry cached = entries.get(sha256Hex);
        if (cached != null && now.isBefore(cached.expires())) {
            return Optional.of(cached.principal());
        }
        Optional<ApiPrincipal> found = delegate.findByHash(sha256Hex);
        if (found.isPresent()) {
            if (entries.size() >= MAX_ENTRIES) {
                entries.clear();
            }
            entries.put(sha256Hex, new Entry(found.get(), now.plus(ttl)));
        } else {
            entries.remove(sha256Hex);
        }
        return found;
    }

    private record Entry(ApiPrincipal principal, Instant expires) {}
}
