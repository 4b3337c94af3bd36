package io.reelroute.api;

import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What an API route answers: an HTTP status, a body that becomes JSON, and any cookies to set (Set-Cookie values). */
public record ApiResponse(int status, Object body, List<String> cookies) {

    public ApiResponse(int status, Object body) {
        this(status, body, List.of());
    }

    private static final Logger LOG = LoggerFactory.getLogger(ApiResponse.class);

    /** The answer to an exception an API route caught: its own status, 401, or 500 without the details. */
    public static ApiResponse error(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (caught instanceof ApiException refused) {
            return new ApiResponse(refused.getStatus(), Map.of("error", refused.getMessage()));
        }
        if (caught instanceof ApiAuth.Unauthorized unauthorized) {
            return new ApiResponse(401, Map.of("error", String.valueOf(unauthorized.getMessage())));
        }
        LOG.error("API request {} {} failed", exchange.getMessage().getHeader(Exchange.HTTP_METHOD),
                exchange.getMessage().getHeader(Exchange.HTTP_URI), caught);
        return new ApiResponse(500, Map.of("error", "internal error"));
    }
}
