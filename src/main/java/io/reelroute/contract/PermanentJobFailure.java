package io.reelroute.contract;

/**
 * A failure that no retry can mend (bad input, a rejected request): the job ends {@code failed} with this
 * phase and reason at once, and the message that carried the work is removed.
 */
public class PermanentJobFailure extends RuntimeException {

    private final FailurePhase phase;

    public PermanentJobFailure(FailurePhase phase, String reason) {
        super(reason);
        this.phase = phase;
    }

    public PermanentJobFailure(FailurePhase phase, String reason, Throwable cause) {
        super(reason, cause);
        this.phase = phase;
    }

    public FailurePhase phase() {
        return phase;
    }

    public String reason() {
        return getMessage();
    }
}
