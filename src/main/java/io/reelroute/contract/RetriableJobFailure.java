package io.reelroute.contract;

/**
 * The work ran and failed, and another attempt may succeed (a model that exited non-zero, timed out or answered
 * with an error): the hop retries it with backoff ({@code reelroute.retries}), and when the retries are used up
 * the job ends {@code failed} with this phase and reason, and the message is removed.
 */
public class RetriableJobFailure extends JobFailure {

    public RetriableJobFailure(FailurePhase phase, String reason) {
        super(phase, reason, null);
    }

    public RetriableJobFailure(FailurePhase phase, String reason, Throwable cause) {
        super(phase, reason, cause);
    }
}
