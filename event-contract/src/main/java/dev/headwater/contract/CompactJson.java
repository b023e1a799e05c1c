package dev.headwater.contract;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Compacts JSON text the way Postgres prints {@code jsonb} into exactly the bytes Jackson writes
 * for the same value after {@code readTree}: the whitespace between tokens goes, everything else is
 * copied. That holds only for the text this accepts, so it refuses (returns {@code null}) whatever
 * Jackson would print differently, and the caller then parses and re-serialises as before:
 *
 * <ul>
 *   <li>a number with a fraction or an exponent (Jackson reads it as a {@code double} and prints
 *       that, Postgres prints the stored decimal); integers print the same digits either way;
 *   <li>a {@code \\u} escape (Postgres prints control characters as {@code \\u001f}, Jackson as
 *       {@code \\u001F}); the short escapes ({@code \\" \\\\ \\b \\f \\n \\r \\t}) are the same in
 *       both;
 *   <li>a raw control character inside a string, or anything that is not JSON punctuation, a
 *       literal, an integer or a string outside one;
 *   <li>text that is not an object ({@code {...}}) with nothing after it.
 * </ul>
 *
 * Key order and duplicate keys need nothing: {@code jsonb} prints each key once, and Jackson's
 * tree keeps the order it read. Non-ASCII characters are copied as they are; Jackson does not
 * escape them either (unless its generator is told to, which the codec's callers do not do).
 */
final class CompactJson {

    private CompactJson() {}

    /** The compact form of {@code text}, or {@code null} where the fast path does not apply. */
    static char @Nullable [] compactObject(String text) {
        int length = text.length();
        char[] out = new char[length];
        int written = 0;
        int depth = 0;
        boolean seenRoot = false;
        int i = 0;
        while (i < length) {
            char c = text.charAt(i);
            switch (c) {
                case ' ', '\t', '\n', '\r' -> i++;
                case '{', '[' -> {
                    if (depth == 0 && (seenRoot || c != '{')) {
                        return null;
                    }
                    seenRoot = true;
                    depth++;
                    out[written++] = c;
                    i++;
                }
                case '}', ']' -> {
                    if (depth == 0) {
                        return null;
                    }
                    depth--;
                    out[written++] = c;
                    i++;
                }
                case ',', ':' -> {
                    if (depth == 0) {
                        return null;
                    }
                    out[written++] = c;
                    i++;
                }
                case '"' -> {
                    if (depth == 0) {
                        return null;
                    }
                    int end = endOfString(text, i);
                    if (end < 0) {
                        return null;
                    }
                    text.getChars(i, end, out, written);
                    written += end - i;
                    i = end;
                }
                default -> {
                    int end = endOfLiteralOrInteger(text, i);
                    if (end < 0 || depth == 0) {
                        return null;
                    }
                    text.getChars(i, end, out, written);
                    written += end - i;
                    i = end;
                }
            }
        }
        if (!seenRoot || depth != 0) {
            return null;
        }
        return written == length ? out : Arrays.copyOf(out, written);
    }

    /** The index after the closing quote of the string starting at {@code start}, or -1. */
    private static int endOfString(String text, int start) {
        int i = start + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c < 0x20) {
                return -1;
            }
            if (c == '\\') {
                if (i + 1 >= text.length()) {
                    return -1;
                }
                switch (text.charAt(i + 1)) {
                    case '"', '\\', 'b', 'f', 'n', 'r', 't' -> i += 2;
                    default -> {
                        return -1;
                    }
                }
            } else {
                i++;
            }
        }
        return -1;
    }

    /** The index after a {@code true}, {@code false}, {@code null} or integer token, or -1. */
    private static int endOfLiteralOrInteger(String text, int start) {
        for (String literal : LITERALS) {
            if (text.startsWith(literal, start)) {
                return start + literal.length();
            }
        }
        int i = start;
        if (i < text.length() && text.charAt(i) == '-') {
            i++;
        }
        int digits = i;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        // No digits, a leading zero, or "-0" (Jackson prints that as 0; Postgres never prints it).
        if (i == digits || text.charAt(digits) == '0' && (i - digits > 1 || digits > start)) {
            return -1;
        }
        if (i < text.length()) {
            char next = text.charAt(i);
            if (next == '.' || next == 'e' || next == 'E') {
                return -1;
            }
        }
        return i;
    }

    private static final String[] LITERALS = {"true", "false", "null"};
}
