package io.reelroute.contract;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.InboundMessage.EventBridgeEvent;
import io.reelroute.contract.InboundMessage.ObjectCreated;
import io.reelroute.contract.InboundMessage.S3ObjectRef;
import io.reelroute.contract.InboundMessage.TestEvent;
import io.reelroute.contract.InboundMessage.Unrecognized;

/**
 * The one classifier for inbound queue messages. Tells apart an S3 notification ({@code Records[]}, keys
 * form-URL-encoded), the S3 {@code s3:TestEvent}, an EventBridge envelope, and an SNS wrapper (whose
 * {@code Message} string is classified in turn, one level deep).
 * <p>
 * Never throws: a consumer must always be able to log and drop what it can't use, or a poison message
 * would loop until its queue's redrive policy moves it aside.
 */
public final class InboundMessages {

    private static final String OBJECT_CREATED = "ObjectCreated:";

    private final ObjectMapper mapper;

    public InboundMessages(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public InboundMessage classify(String body) {
        try {
            return classify(body, true);
        } catch (RuntimeException e) {
            // A safety net for shapes nobody foresaw; the checks below should leave nothing to catch.
            return new Unrecognized("The message could not be read (" + e.getClass().getSimpleName() + ").");
        }
    }

    private InboundMessage classify(String body, boolean mayUnwrapSns) {
        if (body == null || body.isBlank()) {
            return new Unrecognized("The message is empty.");
        }
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            return new Unrecognized("The message is not JSON.");
        }
        if (root == null || !root.isObject()) {
            return new Unrecognized("The message is JSON but not an object.");
        }
        if (root.has("Records")) {
            return s3Notification(root.get("Records"));
        }
        if ("s3:TestEvent".equals(text(root, "Event"))) {
            return new TestEvent();
        }
        if (root.has("detail-type") && root.has("source") && root.has("detail")) {
            return eventBridge(root);
        }
        if ("Notification".equals(text(root, "Type"))) {
            String message = text(root, "Message");
            if (message == null) {
                return new Unrecognized("The SNS notification has no Message string.");
            }
            return mayUnwrapSns ? classify(message, false)
                    : new Unrecognized("The SNS notification wraps another SNS notification; only one level is unwrapped.");
        }
        return new Unrecognized("The JSON has an unknown shape (fields: " + fieldNames(root) + ").");
    }

    private static InboundMessage s3Notification(JsonNode records) {
        if (!records.isArray()) {
            return new Unrecognized("The S3 notification's Records is not an array.");
        }
        List<S3ObjectRef> objects = new ArrayList<>();
        Set<String> skipped = new LinkedHashSet<>();
        for (JsonNode record : records) {
            String eventName = text(record, "eventName");
            if (!"aws:s3".equals(text(record, "eventSource")) || eventName == null || !eventName.startsWith(OBJECT_CREATED)) {
                // Removals, restores and the like are not uploads; other hops never subscribe to them.
                skipped.add(eventName == null ? "a record without an S3 eventName" : eventName);
                continue;
            }
            JsonNode object = record.path("s3").path("object");
            String bucket = text(record.path("s3").path("bucket"), "name");
            String key = decodeKey(text(object, "key"));
            if (bucket == null || key == null) {
                skipped.add(eventName + " without a readable bucket and key");
                continue;
            }
            objects.add(new S3ObjectRef(bucket, key, object.path("size").asLong(0), eventName, text(object, "eTag")));
        }
        if (objects.isEmpty()) {
            return new Unrecognized(skipped.isEmpty() ? "The S3 notification has no records."
                    : "The S3 notification has no ObjectCreated records (" + abbreviate(String.join(", ", skipped)) + ").");
        }
        return new ObjectCreated(objects);
    }

    /** S3 notifications form-URL-encode keys: {@code +} is a space, {@code %2B} a plus. */
    private static String decodeKey(String encoded) {
        if (encoded == null) {
            return null;
        }
        try {
            return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static InboundMessage eventBridge(JsonNode root) {
        String source = text(root, "source");
        String detailType = text(root, "detail-type");
        if (source == null || detailType == null) {
            return new Unrecognized("The EventBridge event's source or detail-type is not a string.");
        }
        JsonNode detail = root.get("detail");
        if (!"aws.s3".equals(source) || !"Object Created".equals(detailType)) {
            return new EventBridgeEvent(source, detailType, text(root, "id"), detail);
        }
        JsonNode object = detail.path("object");
        String bucket = text(detail.path("bucket"), "name");
        // EventBridge carries the key as it is, not URL-encoded.
        String key = text(object, "key");
        if (bucket == null || key == null) {
            return new Unrecognized("The S3 Object Created event has no bucket name or object key.");
        }
        String reason = text(detail, "reason");
        String eventName = OBJECT_CREATED + (reason == null || reason.isBlank() ? "Put" : reason);
        return new ObjectCreated(List.of(new S3ObjectRef(bucket, key, object.path("size").asLong(0), eventName,
                text(object, "etag"))));
    }

    /** The field's value if it is a string, else null: a number or object where a string belongs is not read. */
    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    private static String fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return abbreviate(names.isEmpty() ? "none" : String.join(", ", names));
    }

    private static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "…";
    }
}
