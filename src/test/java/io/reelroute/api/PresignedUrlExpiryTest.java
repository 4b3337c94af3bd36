package io.reelroute.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * expires_at of a presigned URL is when S3 stops honouring it: the URL's own expiry, or the end of the session
 * credentials that signed it when that comes first (IRSA's web identity sessions last about an hour).
 */
class PresignedUrlExpiryTest {

    private static final Instant URL_EXPIRY = Instant.parse("2026-11-24T12:00:00Z");

    @Test
    void sessionCredentialsThatEndFirstEndTheUrl() {
        Instant sessionEnd = URL_EXPIRY.minus(Duration.ofMinutes(20));
        assertThat(JobApi.honouredUntil(URL_EXPIRY, session(sessionEnd))).isEqualTo(sessionEnd);
    }

    @Test
    void aLongerSessionOrLongLivedKeysLeaveTheUrlsOwnExpiry() {
        assertThat(JobApi.honouredUntil(URL_EXPIRY, session(URL_EXPIRY.plus(Duration.ofHours(5))))).isEqualTo(URL_EXPIRY);
        assertThat(JobApi.honouredUntil(URL_EXPIRY, AwsBasicCredentials.create("AKIDEXAMPLE", "secret"))).isEqualTo(URL_EXPIRY);
    }

    private static AwsSessionCredentials session(Instant end) {
        return AwsSessionCredentials.builder().accessKeyId("ASIAEXAMPLE").secretAccessKey("secret").sessionToken("token")
                .expirationTime(end).build();
    }
}
