package dev.headwater.projector.web;

import dev.headwater.web.problem.ApiProblem;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * An opaque keyset-pagination cursor: the sort key of the last item of a page, as base64url text.
 * Clients pass it back as {@code after}; they never build one.
 */
public final class Cursor {

    private static final String SEPARATOR = "\n";

    private Cursor() {}

    public static String encode(String... parts) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(String.join(SEPARATOR, parts).getBytes(StandardCharsets.UTF_8));
    }

    /** The parts of a cursor with {@code count} parts; a malformed one is a 400 naming {@code after}. */
    public static List<String> decode(String cursor, int count) {
        try {
            String plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            List<String> parts = List.of(plain.split(SEPARATOR, -1));
            if (parts.size() == count) {
                return parts;
            }
        } catch (IllegalArgumentException e) {
            // Reported below.
        }
        throw ApiProblem.badRequest("after", "not a cursor of this listing: pass back the 'next' value of a page");
    }
}
