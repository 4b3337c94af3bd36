package io.reelroute.contract;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A request to deliver a job's completion webhook, attempt {@code attempt} (from 1) of delivery {@code deliveryId}.
 * It travels as a "ReelRoute Webhook Requested" EventBridge envelope on the transcode-events queue, beside the
 * packaging requests, so a request made when a job ends survives a crash before the POST, and a retry is the same
 * message sent again with a delay.
 */
public record WebhookRequest(String jobId, String deliveryId, int attempt) {

    public static final String SOURCE = "io.reelroute";
    public static final String DETAIL_TYPE = "ReelRoute Webhook Requested";

    public WebhookRequest {
        JobIds.requireValid(jobId);
        if (deliveryId == null || deliveryId.isBlank()) {
            throw new IllegalArgumentException("a webhook request of job " + jobId + " needs a delivery id");
        }
        if (attempt < 1) {
            throw new IllegalArgumentException("webhook attempts count from 1, not " + attempt);
        }
    }

    /** The same delivery's next attempt. */
    public WebhookRequest next() {
        return new WebhookRequest(jobId, deliveryId, attempt + 1);
    }

    /** The queue message: an EventBridge envelope with this request as its detail. */
    public String message(ObjectMapper mapper) throws JsonProcessingException {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("job_id", jobId);
        detail.put("delivery_id", deliveryId);
        detail.put("attempt", attempt);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("source", SOURCE);
        event.put("detail-type", DETAIL_TYPE);
        event.put("time", Instant.now().toString());
        event.put("detail", detail);
        return mapper.writeValueAsString(event);
    }

    /** The request an inbound message carries; null for any other message (or a request that can't be read). */
    public static WebhookRequest of(InboundMessage inbound) {
        if (inbound instanceof InboundMessage.EventBridgeEvent event && SOURCE.equals(event.source())
                && DETAIL_TYPE.equals(event.detailType())) {
            JsonNode detail = event.detail();
            String jobId = detail.path("job_id").asText("");
            String deliveryId = detail.path("delivery_id").asText("");
            int attempt = detail.path("attempt").asInt(0);
            if (JobIds.isValid(jobId) && !deliveryId.isBlank() && attempt >= 1) {
                return new WebhookRequest(jobId, deliveryId, attempt);
            }
        }
        return null;
    }
}
