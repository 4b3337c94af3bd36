package io.reelroute.contract;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What an inbound queue message is, as {@link InboundMessages} tells the shapes apart. Routes branch on
 * {@link #kind()} (in simple: {@code ${variable.inbound.kind()} == 'OBJECT_CREATED'}), never on class names.
 */
public sealed interface InboundMessage {

    /** The shapes, one per record below. */
    enum Kind {
        OBJECT_CREATED,
        TEST_EVENT,
        EVENT_BRIDGE_EVENT,
        UNRECOGNIZED
    }

    Kind kind();

    /** S3 objects were created (an S3 notification, or S3 "Object Created" through EventBridge). */
    record ObjectCreated(List<S3ObjectRef> objects) implements InboundMessage {

        public ObjectCreated {
            objects = List.copyOf(objects);
        }

        @Override
        public Kind kind() {
            return Kind.OBJECT_CREATED;
        }
    }

    /** The {@code s3:TestEvent} S3 sends when notifications are configured: acknowledge and drop it. */
    record TestEvent() implements InboundMessage {

        @Override
        public Kind kind() {
            return Kind.TEST_EVENT;
        }
    }

    /** Any other EventBridge envelope (for example a MediaConvert job state change). */
    record EventBridgeEvent(String source, String detailType, String id, JsonNode detail) implements InboundMessage {

        @Override
        public Kind kind() {
            return Kind.EVENT_BRIDGE_EVENT;
        }
    }

    /** Anything else; the reason is a short sentence for the log that says what was wrong with it. */
    record Unrecognized(String reason) implements InboundMessage {

        @Override
        public Kind kind() {
            return Kind.UNRECOGNIZED;
        }
    }

    /** One created object. The key is decoded: exactly the object's key in the bucket. */
    record S3ObjectRef(String bucket, String key, long size, String eventName, String eTag) {
    }
}
