package io.reelroute.contract;

/**
 * An S3 key outside ReelRoute's layout. Retrying can't fix a key, so routes drop such events (logged and
 * counted with reason {@code key-outside-layout}) instead of retrying them.
 */
public final class InvalidKeyException extends UnusableMessageException {

    private static final String REASON = "key-outside-layout";

    /** The message says what is wrong and quotes the key (at most 200 characters of it). */
    public InvalidKeyException(String problem, String key) {
        super(REASON, problem + ": " + Quote.of(key));
    }

    /** For callers that compose the whole message themselves. */
    public InvalidKeyException(String message) {
        super(REASON, message);
    }
}
