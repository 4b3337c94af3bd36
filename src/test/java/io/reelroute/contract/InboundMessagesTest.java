package io.reelroute.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.reelroute.contract.InboundMessage.EventBridgeEvent;
import io.reelroute.contract.InboundMessage.Kind;
import io.reelroute.contract.InboundMessage.ObjectCreated;
import io.reelroute.contract.InboundMessage.S3ObjectRef;
import io.reelroute.contract.InboundMessage.TestEvent;
import io.reelroute.contract.InboundMessage.Unrecognized;

/**
 * The classifier against AWS's published sample events (src/test/resources/events: the unchanged samples,
 * and copies whose bucket and key follow this project's layout).
 */
class InboundMessagesTest {

    private static final String JOB = "2b9f4c1e-7d3a-4f5b-9c8e-1a2b3c4d5e6f";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InboundMessages messages = new InboundMessages(JSON);

    // S3 notifications

    @Test
    void theS3SampleNotificationYieldsItsObject() {
        assertThat(messages.classify(sample("s3-notification.json"))).isEqualTo(new ObjectCreated(List.of(
                new S3ObjectRef("amzn-s3-demo-bucket", "HappyFace.jpg", 1024, "ObjectCreated:Put",
                        "d41d8cd98f00b204e9800998ecf8427e"))));
    }

    @Test
    void anUploadedSourceYieldsASourceKey() {
        ObjectCreated created = (ObjectCreated) messages.classify(sample("s3-notification-source-upload.json"));

        assertThat(created.objects()).singleElement().satisfies(object -> {
            assertThat(object.bucket()).isEqualTo("reelroute-input");
            assertThat(object.eventName()).isEqualTo("ObjectCreated:CompleteMultipartUpload");
            assertThat(SourceKey.parse(object.key())).isEqualTo(new SourceKey(JOB));
        });
    }

    @Test
    void notificationKeysAreFormUrlDecoded() {
        ObjectCreated created = (ObjectCreated) messages.classify(sample("s3-notification-encoded-key.json"));

        // '+' is a space, %2F a slash, %2B a plus.
        assertThat(created.objects()).extracting(S3ObjectRef::key).containsExactly("input/" + JOB + "/my holiday+2024.mp4");
    }

    @Test
    void aBadlyEncodedKeyIsSkippedNotThrown() {
        String body = sample("s3-notification.json").replace("HappyFace.jpg", "input%2F%zz");

        assertThat(messages.classify(body)).isInstanceOfSatisfying(Unrecognized.class,
                u -> assertThat(u.reason()).contains("ObjectCreated:Put without a readable bucket and key"));
    }

    @Test
    void everyCreatedRecordOfAMultiRecordNotificationCountsAndRemovalsAreSkipped() {
        ObjectCreated created = (ObjectCreated) messages.classify(sample("s3-notification-multi-record.json"));

        assertThat(created.objects()).extracting(S3ObjectRef::key, S3ObjectRef::size, S3ObjectRef::eventName, S3ObjectRef::eTag)
                .containsExactly(
                        tuple("input/" + JOB + "/source.mp4", 1024L, "ObjectCreated:CompleteMultipartUpload",
                                "d41d8cd98f00b204e9800998ecf8427e"),
                        tuple("segments/" + JOB + "/00000_sbs.mp4", 2048L, "ObjectCreated:Copy",
                                "9b2cf535f27731c974343645a3985328"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ObjectCreated:Put", "ObjectCreated:Post", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload"})
    void everyObjectCreatedEventNameCounts(String eventName) {
        String body = sample("s3-notification.json").replace("ObjectCreated:Put", eventName);

        assertThat(messages.classify(body)).isInstanceOfSatisfying(ObjectCreated.class,
                created -> assertThat(created.objects()).extracting(S3ObjectRef::eventName).containsExactly(eventName));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated", "ObjectRestore:Completed",
        "LifecycleExpiration:Delete", "ObjectTagging:Put", "objectcreated:put"})
    void otherEventNamesDoNotCount(String eventName) {
        String body = sample("s3-notification.json").replace("ObjectCreated:Put", eventName);

        assertThat(messages.classify(body)).isInstanceOfSatisfying(Unrecognized.class,
                u -> assertThat(u.reason()).contains("no ObjectCreated records", eventName));
    }

    @Test
    void aNotificationWithOnlyRemovalsIsUnrecognized() {
        assertThat(messages.classify(sample("s3-notification-object-removed.json"))).isEqualTo(new Unrecognized(
                "The S3 notification has no ObjectCreated records (ObjectRemoved:Delete, ObjectRemoved:DeleteMarkerCreated)."));
    }

    @Test
    void recordsFromOtherSourcesDoNotCount() {
        String body = sample("s3-notification.json").replace("\"aws:s3\"", "\"aws:sqs\"");

        assertThat(messages.classify(body)).isInstanceOf(Unrecognized.class);
    }

    @Test
    void missingSizeAndETagAreZeroAndNull() throws IOException {
        ObjectNode notification = (ObjectNode) JSON.readTree(sample("s3-notification.json"));
        ObjectNode object = (ObjectNode) notification.at("/Records/0/s3/object");
        object.remove("size");
        object.remove("eTag");

        assertThat(messages.classify(notification.toString())).isEqualTo(new ObjectCreated(List.of(
                new S3ObjectRef("amzn-s3-demo-bucket", "HappyFace.jpg", 0, "ObjectCreated:Put", null))));
    }

    // The S3 test event

    @Test
    void theS3TestEventIsRecognised() {
        assertThat(messages.classify(sample("s3-test-event.json"))).isEqualTo(new TestEvent());
    }

    // EventBridge

    @Test
    void theEventBridgeObjectCreatedSampleYieldsItsObject() {
        assertThat(messages.classify(sample("eventbridge-object-created.json"))).isEqualTo(new ObjectCreated(List.of(
                new S3ObjectRef("amzn-s3-demo-bucket1", "example-key", 5, "ObjectCreated:PutObject",
                        "b1946ac92492d2347c6235b4d2611184"))));
    }

    @Test
    void eventBridgeKeysAreTakenAsTheyAre() {
        ObjectCreated created = (ObjectCreated) messages.classify(sample("eventbridge-object-created-plain-key.json"));

        assertThat(created.objects()).extracting(S3ObjectRef::bucket, S3ObjectRef::key, S3ObjectRef::eventName)
                .containsExactly(tuple("reelroute-input", "input/" + JOB + "/my holiday+2024%2F.mp4",
                        "ObjectCreated:CompleteMultipartUpload"));
    }

    @Test
    void anEventBridgeObjectCreatedEventWithoutAReasonIsAPut() throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(sample("eventbridge-object-created.json"));
        ((ObjectNode) event.get("detail")).remove("reason");

        assertThat(messages.classify(event.toString())).isInstanceOfSatisfying(ObjectCreated.class,
                created -> assertThat(created.objects()).extracting(S3ObjectRef::eventName).containsExactly("ObjectCreated:Put"));
    }

    @Test
    void anEventBridgeObjectCreatedEventWithoutAKeyIsUnrecognized() throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(sample("eventbridge-object-created.json"));
        ((ObjectNode) event.at("/detail/object")).remove("key");

        assertThat(messages.classify(event.toString())).isInstanceOf(Unrecognized.class);
    }

    @Test
    void otherEventBridgeEventsKeepTheirEnvelope() {
        EventBridgeEvent event = (EventBridgeEvent) messages.classify(sample("mediaconvert-job-complete.json"));

        assertThat(event.source()).isEqualTo("aws.mediaconvert");
        assertThat(event.detailType()).isEqualTo("MediaConvert Job State Change");
        assertThat(event.id()).isEqualTo("1234abcd-12ab-34cd-56ef-1234567890ab");
        assertThat(event.detail().path("status").asText()).isEqualTo("COMPLETE");
        assertThat(event.detail().path("userMetadata").path("job_id").asText()).isEqualTo(JOB);
    }

    @Test
    void otherS3EventBridgeEventsAreNotCreations() {
        String body = sample("eventbridge-object-created.json").replace("\"Object Created\"", "\"Object Deleted\"");

        assertThat(messages.classify(body)).isInstanceOfSatisfying(EventBridgeEvent.class,
                event -> assertThat(event.detailType()).isEqualTo("Object Deleted"));
    }

    // SNS

    @Test
    void anSnsWrapperIsUnwrapped() {
        ObjectCreated created = (ObjectCreated) messages.classify(sample("sns-wrapped-s3-notification.json"));

        assertThat(created.objects()).extracting(S3ObjectRef::bucket, S3ObjectRef::key)
                .containsExactly(tuple("reelroute-input", "input/" + JOB + "/source.mp4"));
    }

    @Test
    void anySampleCanArriveThroughSns() throws IOException {
        assertThat(messages.classify(snsWrapped(sample("s3-test-event.json")))).isEqualTo(new TestEvent());
        assertThat(messages.classify(snsWrapped(sample("mediaconvert-job-complete.json")))).isInstanceOf(EventBridgeEvent.class);
        assertThat(messages.classify(snsWrapped("not json"))).isEqualTo(new Unrecognized("The message is not JSON."));
    }

    @Test
    void snsInsideSnsIsUnwrappedOnlyOnce() throws IOException {
        assertThat(messages.classify(snsWrapped(sample("sns-wrapped-s3-notification.json")))).isInstanceOfSatisfying(
                Unrecognized.class, u -> assertThat(u.reason()).contains("only one level"));
    }

    @Test
    void anSnsNotificationWithoutAMessageStringIsUnrecognized() throws IOException {
        ObjectNode sns = (ObjectNode) JSON.readTree(sample("sns-wrapped-s3-notification.json"));
        sns.set("Message", JSON.readTree(sns.get("Message").asText()));

        assertThat(messages.classify(sns.toString())).isEqualTo(new Unrecognized("The SNS notification has no Message string."));
    }

    // Anything else

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "\n\t"})
    void emptyMessagesAreUnrecognized(String body) {
        assertThat(messages.classify(body)).isEqualTo(new Unrecognized("The message is empty."));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not { json", "{\"Records\":[", "{'Records':[]}", "<xml/>", "\u0000"})
    void textThatIsNotJsonIsUnrecognized(String body) {
        assertThat(messages.classify(body)).isEqualTo(new Unrecognized("The message is not JSON."));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"Records\":[]}]", "42", "\"text\"", "null", "true"})
    void jsonThatIsNotAnObjectIsUnrecognized(String body) {
        assertThat(messages.classify(body)).isEqualTo(new Unrecognized("The message is JSON but not an object."));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"hello\":1}", "{\"Type\":\"SubscriptionConfirmation\",\"Message\":\"x\"}",
        "{\"detail-type\":\"x\",\"source\":\"y\"}", "{\"Event\":\"s3:SomethingElse\"}"})
    void jsonOfUnknownShapeIsUnrecognizedNamingItsFields(String body) throws IOException {
        List<String> fields = JSON.readTree(body).properties().stream().map(java.util.Map.Entry::getKey).toList();

        assertThat(messages.classify(body)).isInstanceOfSatisfying(Unrecognized.class, u -> {
            assertThat(u.reason()).startsWith("The JSON has an unknown shape");
            assertThat(u.reason()).contains(fields.isEmpty() ? List.of("fields: none") : fields);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"Records\":{}}", "{\"Records\":null}", "{\"Records\":[]}", "{\"Records\":[1,\"x\",null]}",
        "{\"Records\":[{}]}", "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\"}]}",
        "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":1},\"object\":{\"key\":\"k\"}}}]}",
        "{\"detail-type\":1,\"source\":\"aws.s3\",\"detail\":{}}",
        "{\"detail-type\":\"Object Created\",\"source\":\"aws.s3\",\"detail\":null}",
        "{\"detail-type\":\"Object Created\",\"source\":\"aws.s3\",\"detail\":[]}",
        "{\"Type\":\"Notification\",\"Message\":\"\"}"})
    void malformedKnownShapesAreUnrecognizedWithAReason(String body) {
        assertThat(messages.classify(body)).isInstanceOfSatisfying(Unrecognized.class,
                // A specific reason, not the safety net's.
                u -> assertThat(u.reason()).endsWith(".").doesNotStartWith("The message could not be read"));
    }

    @Test
    void aHugeUnknownObjectGetsAShortReason() {
        StringBuilder body = new StringBuilder("{");
        for (int i = 0; i < 1_000; i++) {
            body.append(i == 0 ? "" : ",").append("\"field").append(i).append("\":").append(i);
        }
        body.append('}');

        assertThat(messages.classify(body.toString())).isInstanceOfSatisfying(Unrecognized.class,
                u -> assertThat(u.reason()).hasSizeLessThan(200));
    }

    @Test
    void deeplyNestedJsonIsUnrecognizedNotAStackOverflow() {
        String body = "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000);

        assertThat(messages.classify(body)).isEqualTo(new Unrecognized("The message is not JSON."));
    }

    @Test
    void createdObjectListsCannotBeChanged() {
        ObjectCreated created = (ObjectCreated) messages.classify(sample("s3-notification.json"));

        assertThat(created.objects()).isUnmodifiable();
    }

    // The kind the routes branch on

    @ParameterizedTest
    @CsvSource({
        "s3-notification.json, OBJECT_CREATED",
        "eventbridge-object-created.json, OBJECT_CREATED",
        "sns-wrapped-s3-notification.json, OBJECT_CREATED",
        "s3-test-event.json, TEST_EVENT",
        "mediaconvert-job-complete.json, EVENT_BRIDGE_EVENT",
        "s3-notification-object-removed.json, UNRECOGNIZED",
    })
    void eachShapeHasItsKind(String sample, Kind kind) {
        assertThat(messages.classify(sample(sample)).kind()).isEqualTo(kind);
    }

    /** As the routes compare it: the kind's name as a string, in simple. */
    @Test
    void theKindComparesWithItsNameInSimple() throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(camel);
            exchange.setVariable("inbound", messages.classify(sample("s3-test-event.json")));

            assertThat(camel.resolveLanguage("simple").createPredicate("${variable.inbound.kind()} == 'TEST_EVENT'")
                    .matches(exchange)).isTrue();
            assertThat(camel.resolveLanguage("simple").createPredicate("${variable.inbound.kind()} == 'OBJECT_CREATED'")
                    .matches(exchange)).isFalse();
        }
    }

    private static String snsWrapped(String message) throws IOException {
        ObjectNode sns = (ObjectNode) JSON.readTree(sample("sns-wrapped-s3-notification.json"));
        sns.put("Message", message);
        return sns.toString();
    }

    private static String sample(String name) {
        try (InputStream in = InboundMessagesTest.class.getResourceAsStream("/events/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no sample event " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
