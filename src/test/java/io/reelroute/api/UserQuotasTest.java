package io.reelroute.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The per-user token bucket of job creation, on a clock the test moves. */
class UserQuotasTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final UserQuotas quotas = new UserQuotas(null, 20, 6, now::get);

    @Test
    void aUserCreatesBurstsOfTheRateThenOneEveryRateOfAMinute() {
        for (int i = 0; i < 6; i++) {
            assertThat(quotas.take("alice")).isZero();
        }
        Duration wait = quotas.take("alice");
        assertThat(wait).isEqualTo(Duration.ofSeconds(10));
        assertThat(quotas.take("bob")).as("each user has a bucket of their own").isZero();

        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(quotas.take("alice")).isEqualTo(Duration.ofSeconds(6));
        now.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(quotas.take("alice")).isZero();
        assertThat(quotas.take("alice")).isEqualTo(Duration.ofSeconds(10));

        // An idle minute fills the bucket, and no more than full.
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        for (int i = 0; i < 6; i++) {
            assertThat(quotas.take("alice")).isZero();
        }
        assertThat(quotas.take("alice")).isPositive();
    }

    @Test
    void theBucketsAreBoundedDroppingTheLeastRecentlyUsed() {
        for (int i = 0; i < 6; i++) {
            quotas.take("alice");
        }
        for (int user = 0; user < UserQuotas.MAX_USERS - 1; user++) {
            quotas.take("user-" + user);
        }
        assertThat(quotas.take("alice")).as("alice's bucket was used last but one: kept, empty").isPositive();
        for (int user = 0; user < 10; user++) {
            quotas.take("another-" + user);
        }
        assertThat(quotas.trackedUsers()).isEqualTo(UserQuotas.MAX_USERS);
    }

    @Test
    void retryAfterIsWholeSecondsRoundedUp() {
        assertThat(ApiException.tryLater(429, "wait", Duration.ofMillis(1)).getRetryAfterSeconds()).isEqualTo(1);
        assertThat(ApiException.tryLater(429, "wait", Duration.ofMillis(10_001)).getRetryAfterSeconds()).isEqualTo(11);
        assertThat(ApiResponse.error(ApiException.tryLater(429, "wait", Duration.ofSeconds(60)), "POST", "/jobs"))
                .isEqualTo(new ApiResponse(429, java.util.Map.of("error", "wait"), java.util.List.of(), 60L));
    }
}
