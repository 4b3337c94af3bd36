package io.reelroute.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What a job's callback_url may be, on the embedded default and elsewhere. */
class CallbackUrlsTest {

    private final CallbackUrls elsewhere = new CallbackUrls(false, 2048, new WebhookSecret("secret", null));
    private final CallbackUrls embedded = new CallbackUrls(true, 2048, new WebhookSecret("secret", null));

    @Test
    void httpsIsAcceptedEverywhereAndHttpOnlyOnTheEmbeddedDefault() {
        assertThat(elsewhere.check("https://hooks.example.com/reelroute?token=1")).isEqualTo("https://hooks.example.com/reelroute?token=1");
        assertThat(embedded.check("http://127.0.0.1:8081/hook")).isEqualTo("http://127.0.0.1:8081/hook");
        assertRefused(elsewhere, "http://hooks.example.com/reelroute", "must use https, not http");
        assertRefused(embedded, "ftp://hooks.example.com/x", "must use https or http, not ftp");
    }

    @Test
    void malformedLongOrCredentialCarryingUrlsAreRefused() {
        assertRefused(elsewhere, "/hooks/reelroute", "absolute URL");
        assertRefused(elsewhere, "mailto:someone@example.com", "absolute URL");
        assertRefused(elsewhere, "https://exa mple.com/", "not a valid URL");
        assertRefused(elsewhere, "https://user:pass@hooks.example.com/", "user info");
        assertRefused(elsewhere, "https://hooks.example.com/#part", "fragment");
        assertRefused(elsewhere, "https://hooks.example.com/" + "a".repeat(2048), "longer than 2048");
    }

    @Test
    void offTheEmbeddedDefaultLocalAndPrivateAddressesAreRefused() {
        for (String host : new String[] {"localhost", "api.localhost", "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1",
                "169.254.169.254", "0.0.0.0", "[::1]", "[fe80::1]", "[fd00::1]"}) {
            assertRefused(elsewhere, "https://" + host + "/hook", "localhost or a loopback");
        }
        assertThat(elsewhere.check("https://8.8.8.8/hook")).isNotNull();
        assertThat(embedded.check("https://localhost/hook")).as("the embedded default runs on a laptop").isNotNull();
    }

    @Test
    void withoutASecretNoCallbackIsAccepted() {
        CallbackUrls unsigned = new CallbackUrls(false, 2048, new WebhookSecret("", null));
        assertRefused(unsigned, "https://hooks.example.com/", "reelroute.webhooks.secret");
    }

    private static void assertRefused(CallbackUrls urls, String url, String reason) {
        assertThatThrownBy(() -> urls.check(url)).as(url).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason);
    }
}
