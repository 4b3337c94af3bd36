package io.reelroute.contract;

/**
 * A message body that is not what its queue carries (not JSON, or without the fields the hop reads): dropped,
 * logged and counted with reason {@code unrecognized}.
 */
public final class UnrecognizedMessageException extends UnusableMessageException {

    public UnrecognizedMessageException(String message) {
        super("unrecognized", message);
    }
}
