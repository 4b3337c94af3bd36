package io.reelroute.inference;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.RetriableJobFailure;

/**
 * The model ran and did not produce the segment's output (a non-zero exit, a timeout, a server error, a
 * function error). The hop retries it with backoff; when the retries are used up, the job fails in phase
 * {@code inference} with this message, which names the segment.
 */
public class InferenceFailure extends RetriableJobFailure {

    public InferenceFailure(String message) {
        super(FailurePhase.INFERENCE, message);
    }

    public InferenceFailure(String message, Throwable cause) {
        super(FailurePhase.INFERENCE, message, cause);
    }
}
