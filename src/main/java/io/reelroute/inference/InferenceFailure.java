package io.reelroute.inference;

/**
 * The model ran and did not produce the segment's output (a non-zero exit, a timeout, a server error, a
 * function error). The hop retries it with backoff; when the retries are used up, the job fails in phase
 * {@code inference} with this message, which names the segment.
 */
public class InferenceFailure extends RuntimeException {

    public InferenceFailure(String message) {
        super(message);
    }

    public InferenceFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
