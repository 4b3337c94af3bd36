package io.reelroute.contract;

/**
 * A failure that no retry can mend (bad input, a rejected request, a media tool that refused the input): the
 * job ends {@code failed} with this phase and reason at once, and the message that carried the work is removed.
 */
public class PermanentJobFailure extends JobFailure {

    public PermanentJobFailure(FailurePhase phase, String reason) {
        super(phase, reason, null);
    }

    public PermanentJobFailure(FailurePhase phase, String reason, Throwable cause) {
        super(phase, reason, cause);
    }

    /** With {@code detail}, the raw output behind the reason (the tail of a tool's stderr, say); null for none. */
    public PermanentJobFailure(FailurePhase phase, String reason, String detail) {
        super(phase, reason, detail, null);
    }
}
