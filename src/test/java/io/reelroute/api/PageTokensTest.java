package io.reelroute.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Pagination tokens carry the key of a listing's next page (job ids, the owner, times) but tell their holder none
 * of it, and only the listing and caller they were issued for can use them.
 */
class PageTokensTest {

    final ObjectMapper mapper = new ObjectMapper();
    final PageTokens tokens = new PageTokens("a shared key of the api pods", mapper);
    final String jobId = UUID.randomUUID().toString();
    final Map<String, AttributeValue> lastKey = new LinkedHashMap<>(Map.of(
            "job_id", AttributeValue.fromS(jobId),
            "status", AttributeValue.fromS("completed"),
            "owner", AttributeValue.fromS("alice@example.com"),
            "completed_at", AttributeValue.fromN("1796212345678")));

    @Test
    void aTokenOpensToItsKeyForItsListingAndCaller() {
        String token = tokens.issue("completed", "alice@example.com", lastKey);
        assertThat(tokens.open(token, "completed", "alice@example.com")).isEqualTo(lastKey);
        // Another process with the same setting (another pod) opens it too.
        assertThat(new PageTokens("a shared key of the api pods", mapper).open(token, "completed", "alice@example.com"))
                .isEqualTo(lastKey);
        assertThat(tokens.issue("completed", "alice@example.com", lastKey)).as("a fresh nonce each time").isNotEqualTo(token);
    }

    @Test
    void aTokenRevealsNoJobIdOwnerOrStatus() {
        String token = tokens.issue("completed", "alice@example.com", lastKey);
        assertThat(token).matches("[A-Za-z0-9_-]+");
        for (String secret : new String[] {jobId, "alice", "completed", "1796212345678", "job_id"}) {
            assertThat(token).doesNotContain(secret);
            // Decoded, whole or in any of its dot-separated parts.
            for (String part : token.split("\\.")) {
                String decoded = new String(Base64.getUrlDecoder().decode(part), StandardCharsets.ISO_8859_1);
                assertThat(decoded).doesNotContain(secret);
            }
        }
    }

    @Test
    void aChangedTokenIsRefused() {
        String token = tokens.issue("completed", "alice@example.com", lastKey);
        // Not the last character: it may carry only padding bits that decoding ignores.
        for (int at = 0; at < token.length() - 1; at += 7) {
            String changed = token.substring(0, at) + (token.charAt(at) == 'A' ? 'B' : 'A') + token.substring(at + 1);
            refused(() -> tokens.open(changed, "completed", "alice@example.com"), "not a token this API issued");
        }
        refused(() -> tokens.open(token.substring(0, token.length() - 4), "completed", "alice@example.com"), "not a token");
        refused(() -> tokens.open("garbage", "completed", "alice@example.com"), "not a token");
        refused(() -> tokens.open("", "completed", "alice@example.com"), "not a token");
        refused(() -> new PageTokens("another key", mapper).open(token, "completed", "alice@example.com"), "not a token");
        refused(() -> new PageTokens(null, mapper).open(token, "completed", "alice@example.com"), "not a token");
    }

    @Test
    void anotherCallersOrListingsTokenIsRefused() {
        String alices = tokens.issue("completed", "alice@example.com", lastKey);
        refused(() -> tokens.open(alices, "completed", "bob@example.com"), "another listing");
        refused(() -> tokens.open(alices, "failed", "alice@example.com"), "another listing");
    }

    private static void refused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getStatus()).isEqualTo(400))
                .hasMessageContaining(message);
    }
}
