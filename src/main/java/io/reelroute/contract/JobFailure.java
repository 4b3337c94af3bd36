package io.reelroute.contract;

/**
 * A failure that ends its job {@code failed} with this phase and reason (the error policy in
 * routes/error-policy.camel.yaml does it, and removes the message). The phase travels with the exception: the
 * code that throws it knows what it was doing. The reason is for the job's owner to read; the raw output of the
 * tool that failed (say, the tail of ffmpeg's stderr), if any, goes in the detail.
 */
public abstract class JobFailure extends RuntimeException {

    private final FailurePhase phase;
    private final String detail;

    protected JobFailure(FailurePhase phase, String reason, Throwable cause) {
        this(phase, reason, null, cause);
    }

    protected JobFailure(FailurePhase phase, String reason, String detail, Throwable cause) {
        super(reason, cause);
        this.phase = phase;
        this.detail = detail;
    }

    public FailurePhase phase() {
        return phase;
    }

    public String reason() {
        return getMessage();
    }

    /** The raw output behind the reason (a tool's stderr, say); null if there is none. */
    public String detail() {
        return detail;
    }
}
