package io.reelroute.contract;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.InboundMessage.EventBridgeEvent;
import io.reelroute.contract.InboundMessage.ObjectCreated;
import io.reelroute.contract.InboundMessage.S3ObjectRef;
import io.reelroute.contract.InboundMessage.TestEvent;
import io.reelroute.contract.InboundMessage.Unrecognized;

/**
 * The one classifier for inbound messages. Tells apart an S3 notification ({@code Records[]}, keys
 * form-URL-encoded), the S3 {@code s3:TestEvent}, an EventBridge envelope, and an SNS wrapper (whose
 * {@code Message} string is classified in turn). Never throws: what it can't read is {@link Unrecognized}.
 */
public final class InboundMessages {

    private static final String OBJECT_CREATED = "ObjectCreated:";

    private final ObjectMapper mapper;

    public InboundMessages(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public InboundMessage classify(String body) {
        return classify(body, true);
    }

    private InboundMessage classify(String body, boolean mayUnwrapSns) {
        if (body == null || body.isBlank()) {
            return new Unrecognized("empty message");
        }
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (Exception e) {
            return new Unrecognized("not JSON");
        }
        if (root == null || !root.isObject()) {
            return new Unrecognized("JSON that is not an object");
        }
        if (root.has("Records")) {
            return s3Notification(root.path("Records"));
        }
        if ("s3:TestEvent".equals(root.path("Event").asText())) {
            return new TestEvent();
        }
        if (root.has("detail-type") && root.has("source") && root.has("detail")) {
            return eventBridge(root);
        }
        if ("Notification".equals(root.path("Type").asText()) && root.path("Message").isTextual()) {
            return mayUnwrapSns ? classify(root.path("Message").asText(), false)
                    : new Unrecognized("SNS notification inside an SNS notification");
        }
        return new Unrecognized("JSON of unknown shape (fields " + fieldNames(root) + ")");
    }

    private InboundMessage s3Notification(JsonNode records) {
        if (!records.isArray()) {
            return new Unrecognized("Records is not an array");
        }
        List<S3ObjectRef> objects = new ArrayList<>();
        List<String> otherEvents = new ArrayList<>();
        for (JsonNode record : records) {
            String eventName = record.path("eventName").asText();
            if (!"aws:s3".equals(record.path("eventSource").asText()) || !eventName.startsWith(OBJECT_CREATED)) {
                otherEvents.add(record.path("eventSource").asText() + " " + eventName);
                continue;
            }
            JsonNode s3 = record.path("s3");
            String key = s3.path("object").path("key").asText(null);
            String bucket = s3.path("bucket").path("name").asText(null);
            if (key == null || bucket == null) {
                otherEvents.add(eventName + " without bucket or key");
                continue;
            }
            objects.add(new S3ObjectRef(bucket, URLDecoder.decode(key, StandardCharsets.UTF_8),
                    s3.path("object").path("size").asLong(0), eventName, s3.path("object").path("eTag").asText(null)));
        }
        return objects.isEmpty()
                ? new Unrecognized("S3 notification without ObjectCreated records (" + String.join(", ", otherEvents) + ")")
                : new ObjectCreated(List.copyOf(objects));
    }

    private InboundMessage eventBridge(JsonNode root) {
        String source = root.path("source").asText();
        String detailType = root.path("detail-type").asText();
        JsonNode detail = root.path("detail");
        if ("aws.s3".equals(source) && "Object Created".equals(detailType)) {
            String bucket = detail.path("bucket").path("name").asText(null);
            String key = detail.path("object").path("key").asText(null);
            if (bucket == null || key == null) {
                return new Unrecognized("S3 Object Created event without bucket or key");
            }
            String reason = detail.path("reason").asText("");
            // EventBridge keys are not URL-encoded, unlike S3 notifications.
            return new ObjectCreated(List.of(new S3ObjectRef(bucket, key, detail.path("object").path("size").asLong(0),
                    OBJECT_CREATED + (reason.isEmpty() ? "Put" : reason), detail.path("object").path("etag").asText(null))));
        }
        return new EventBridgeEvent(source, detailType, root.path("id").asText(null), detail);
    }

    private static String fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names.size() > 8 ? String.join(", ", names.subList(0, 8)) + ", …" : String.join(", ", names);
    }
}
