package io.reelroute.contract;

/**
 * What one delivery attempt of a job's completion webhook came to, for the deliver-webhook hop to act on.
 *
 * @param statusCode the receiver's HTTP status; null if there was no answer (or no POST)
 * @param error why it did not succeed, for the log and the job; null when delivered or skipped
 * @param retryDelaySeconds for {@link Outcome#RETRY}: how long to wait before the next attempt
 */
public record WebhookAttempt(Outcome outcome, WebhookRequest request, Integer statusCode, String error,
        int retryDelaySeconds) {

    public enum Outcome {
        /** The receiver answered 2xx. */
        DELIVERED,
        /** It may work later: the next attempt is to be sent after the delay. */
        RETRY,
        /** Refused (a 3xx or a 4xx other than 408 and 429) or the last attempt failed: dead-lettered. */
        FAILED,
        /** Nothing was sent: the delivery had ended already, this attempt was made before, or the job is gone. */
        SKIPPED
    }

    public String jobId() {
        return request.jobId();
    }
}
