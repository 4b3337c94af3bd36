package io.reelroute.contract;

/**
 * A failure that ends its job {@code failed} with this phase and reason (the error policy in
 * routes/error-policy.camel.yaml does it, and removes the message). The phase travels with the exception: the
 * code that throws it knows what it was doing.
 */
public abstract class JobFailure extends RuntimeException {

    private final FailurePhase phase;

    protected JobFailure(FailurePhase phase, String reason, Throwable cause) {
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
