package dev.headwater.cdc.offset;

/** Reading or writing offsets failed; transient (the next batch writes again). */
public class OffsetStoreException extends RuntimeException {

    public OffsetStoreException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }

    OffsetStoreException(String message) {
        super(message);
    }
}
