package dev.headwater.contract;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What a command returns so that a later query can wait until the views have seen its write: the
 * stream it appended to and the version it reached. Opaque to clients: they pass the text back in
 * the {@code Headwater-Consistency} header.
 *
 * <p>Text form: base64url (no padding) of {@code 1:<aggregate_type>:<version>:<aggregate_id>}; the
 * id comes last because it is the only part that may contain a colon.
 */
public record ConsistencyToken(String aggregateType, String aggregateId, long version) {

    public static final String HEADER = "Headwater-Consistency";
    private static final String FORMAT_VERSION = "1";

    public ConsistencyToken {
        if (!EventEnvelope.AGGREGATE_TYPE.matcher(aggregateType).matches()) {
            throw new ContractViolation("aggregateType", "'" + aggregateType + "' is not a valid aggregate type");
        }
        if (aggregateId.isEmpty()) {
            throw new ContractViolation("aggregateId", "is required");
        }
        if (version < 1) {
            throw new ContractViolation("version", "must be at least 1");
        }
    }

    public String encode() {
        String plain = FORMAT_VERSION + ":" + aggregateType + ":" + version + ":" + aggregateId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a token; a malformed one is a {@link ContractViolation} naming {@link #HEADER}. */
    public static ConsistencyToken decode(String text) {
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ContractViolation(HEADER, "not a consistency token");
        }
        String[] parts = plain.split(":", 4);
        if (parts.length != 4 || !FORMAT_VERSION.equals(parts[0])) {
            throw new ContractViolation(HEADER, "not a consistency token");
        }
        try {
            return new ConsistencyToken(parts[1], parts[3], Long.parseLong(parts[2]));
        } catch (NumberFormatException e) {
            throw new ContractViolation(HEADER, "not a consistency token");
        }
    }
}
