package io.reelroute.api;

import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an API route answers: an HTTP status, a body that becomes JSON, any cookies to set (Set-Cookie values), and
 * the seconds of a Retry-After header (null for none).
 */
public record ApiResponse(int status, Object body, List<String> cookies, Long retryAfterSeconds) {

    public ApiResponse(int status, Object body) {
        this(status, body, List.of());
    }

    public ApiResponse(int status, Object body, List<String> cookies) {
        this(status, body, cookies, null);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ApiResponse.class);

    /**
     * The answer to an exception an API route caught: its own status, 401, or 500 without the details (logged with
     * the request's {@code method} and {@code uri}). A refusal counts wherever it is in the chain of causes: Camel
     * wraps what a bean method called with bound arguments throws.
     */
    public static ApiResponse error(Throwable caught, String method, String uri) {
        for (Throwable cause = caught; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ApiException refused) {
                return new ApiResponse(refused.getStatus(), Map.of("error", refused.getMessage()), List.of(),
                        refused.getRetryAfterSeconds());
            }
            if (cause instanceof ApiAuth.Unauthorized unauthorized) {
                return new ApiResponse(401, Map.of("error", String.valueOf(unauthorized.getMessage())));
            }
        }
        LOG.error("API request {} {} failed", method, uri, caught);
        return new ApiResponse(500, Map.of("error", "internal error"));
    }
}
