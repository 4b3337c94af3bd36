package io.reelroute.contract;

/**
 * A message no retry can make usable (a key outside the layout, a body that is not what the queue carries):
 * the hop drops it, logs a warning and counts it in {@code reelroute.messages.dropped{hop, reason}}, so it
 * never loops.
 */
public abstract class UnusableMessageException extends IllegalArgumentException {

    private final String reason;

    protected UnusableMessageException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** The {@code reason} tag of the dropped-messages counter. */
    public String reason() {
        return reason;
    }
}
