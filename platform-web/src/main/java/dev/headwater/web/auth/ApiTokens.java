package dev.headwater.web.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Token secrets: {@code hw_} and 43 base64url characters (256 random bits). Only their SHA-256 is
 * ever stored or published; a secret is shown once, to whoever issued it.
 */
public final class ApiTokens {

    public static final String PREFIX = "hw_";
    private static final Pattern SHAPE = Pattern.compile("hw_[A-Za-z0-9_-]{43}");
    private static final SecureRandom random = new SecureRandom();

    /**
     * Every request hashes its token. {@code MessageDigest.getInstance} searches the security
     * providers each time; a clone of one instance skips that search.
     */
    private static final MessageDigest SHA_256 = sha256();

    private ApiTokens() {}

    public static String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** SHA-256 of the secret, lower-case hex: the only form in which a token is stored. */
    public static String hash(String secret) {
        MessageDigest digest;
        try {
            digest = (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            digest = sha256();
        }
        return HexFormat.of().formatHex(digest.digest(secret.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Whether the text has the shape of a secret; saves a lookup for obvious garbage. */
    public static boolean isWellFormed(String secret) {
        return SHAPE.matcher(secret).matches();
    }
}
