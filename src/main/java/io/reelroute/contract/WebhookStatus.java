package io.reelroute.contract;

import java.util.Locale;

/**
 * Where the completion webhook of a job with a {@code callback_url} stands: pending until it was delivered (a 2xx)
 * or failed (refused, or given up on after the last attempt). Delivered and failed are final: a repeated request
 * does not POST again.
 */
public enum WebhookStatus {
    PENDING,
    DELIVERED,
    FAILED;

    /** The name in table items and APIs. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static WebhookStatus fromWireName(String wireName) {
        for (WebhookStatus status : values()) {
            if (status.wireName().equals(wireName)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown webhook status " + Quote.of(wireName));
    }

    public boolean isFinal() {
        return this != PENDING;
    }
}
