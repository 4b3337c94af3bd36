package io.reelroute.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class ApiResponseTest {

    @Test
    void aRefusalAnswersItsStatusAndMessageEvenWhenWrapped() {
        ApiException refused = new ApiException(409, "only a failed job can be retried");
        assertThat(ApiResponse.error(refused, "POST", "/jobs/x/retry"))
                .isEqualTo(new ApiResponse(409, Map.of("error", "only a failed job can be retried")));
        assertThat(ApiResponse.error(new IllegalStateException("bean call failed", refused), "POST", "/jobs/x/retry"))
                .isEqualTo(new ApiResponse(409, Map.of("error", "only a failed job can be retried")));
    }

    @Test
    void anUnauthenticatedCallerGets401() {
        RuntimeException wrapped = new RuntimeException(new ApiAuth.Unauthorized("the token has expired"));
        assertThat(ApiResponse.error(wrapped, "GET", "/jobs")).isEqualTo(new ApiResponse(401, Map.of("error", "the token has expired")));
    }

    @Test
    void anythingElseIs500WithoutItsDetails() {
        assertThat(ApiResponse.error(new IllegalStateException("table unreachable"), "GET", "/jobs"))
                .isEqualTo(new ApiResponse(500, Map.of("error", "internal error")));
        assertThat(ApiResponse.error(null, "GET", "/jobs")).isEqualTo(new ApiResponse(500, Map.of("error", "internal error")));
    }
}
