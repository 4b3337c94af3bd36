package io.reelroute.api;

import java.time.Duration;

/**
 * A request the API refuses: answered with {@code status} and {@code {"error": message}}, and with a
 * {@code Retry-After} header when it says when to try again (a 429 or 503).
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final Long retryAfterSeconds;

    public ApiException(int status, String message) {
        this(status, message, null);
    }

    private ApiException(int status, String message, Long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int getStatus() {
        return status;
    }

    /** Seconds the caller should wait before trying again, or null when the answer says none. */
    public Long getRetryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    public static ApiException notFound(String jobId) {
        return new ApiException(404, "no job " + jobId);
    }

    /** 429 (a quota of the caller's) or 503 (the server's), with a Retry-After of {@code after}, a second at least. */
    public static ApiException tryLater(int status, String message, Duration after) {
        return new ApiException(status, message, seconds(after));
    }

    /** Whole seconds, rounded up, a second at least: what Retry-After says. */
    static long seconds(Duration after) {
        return Math.max(1, (after.toMillis() + 999) / 1000);
    }
}
