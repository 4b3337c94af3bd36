package io.reelroute.contract;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** What an inbound queue message is, as {@link InboundMessages} tells the four shapes apart. */
public sealed interface InboundMessage {

    /** S3 objects were created (an S3 notification, or S3 "Object Created" through EventBridge). */
    record ObjectCreated(List<S3ObjectRef> objects) implements InboundMessage {
    }

    /** The {@code s3:TestEvent} S3 sends when notifications are configured: acknowledged and dropped. */
    record TestEvent() implements InboundMessage {
    }

    /** Any other EventBridge envelope (for example MediaConvert job state changes). */
    record EventBridgeEvent(String source, String detailType, String id, JsonNode detail) implements InboundMessage {
    }

    /** Anything else; the reason says what was wrong with it. */
    record Unrecognized(String reason) implements InboundMessage {
    }

    /** One created object; the key is decoded. */
    record S3ObjectRef(String bucket, String key, long size, String eventName, String eTag) {
    }
}
