package dev.headwater.web.problem;

import java.io.IOException;

/** Raised while reading a request body that grows past the configured limit. */
public final class RequestBodyTooLargeException extends IOException {

    public RequestBodyTooLargeException(long limit) {
        super("The request body exceeds " + limit + " bytes");
    }
}
