package io.reelroute.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.InboundMessage.EventBridgeEvent;
import io.reelroute.contract.InboundMessage.ObjectCreated;
import io.reelroute.contract.InboundMessage.S3ObjectRef;
import io.reelroute.contract.InboundMessage.TestEvent;
import io.reelroute.contract.InboundMessage.Unrecognized;

/** The classifier against AWS's published sample events (src/test/resources/events). */
class InboundMessagesTest {

    private final InboundMessages messages = new InboundMessages(new ObjectMapper());

    @Test
    void anS3NotificationYieldsItsObject() {
        assertThat(messages.classify(sample("s3-notification.json"))).isEqualTo(new ObjectCreated(java.util.List.of(
                new S3ObjectRef("amzn-s3-demo-bucket", "HappyFace.jpg", 1024, "ObjectCreated:Put",
                        "d41d8cd98f00b204e9800998ecf8427e"))));
    }

    @Test
    void notificationKeysAreFormUrlDecoded() {
        String body = sample("s3-notification.json").replace("HappyFace.jpg", "input%2Fmy+holiday%2B%C3%A9.mp4");

        ObjectCreated created = (ObjectCreated) messages.classify(body);

        assertThat(created.objects().get(0).key()).isEqualTo("input/my holiday+é.mp4");
    }

    @Test
    void everyObjectCreatedEventNameCountsAndOtherRecordsAreSkipped() {
        String body = """
                {"Records":[
                  {"eventSource":"aws:s3","eventName":"ObjectCreated:CompleteMultipartUpload","s3":{"bucket":{"name":"b"},"object":{"key":"k1","size":7}}},
                  {"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"k2"}}},
                  {"eventSource":"aws:s3","eventName":"ObjectCreated:Copy","s3":{"bucket":{"name":"b"},"object":{"key":"k3","size":1}}}]}""";

        ObjectCreated created = (ObjectCreated) messages.classify(body);

        assertThat(created.objects()).extracting(S3ObjectRef::key, S3ObjectRef::eventName)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("k1", "ObjectCreated:CompleteMultipartUpload"),
                        org.assertj.core.groups.Tuple.tuple("k3", "ObjectCreated:Copy"));
    }

    @Test
    void aNotificationWithOnlyRemovalsIsUnrecognized() {
        String body = sample("s3-notification.json").replace("ObjectCreated:Put", "ObjectRemoved:Delete");

        assertThat(messages.classify(body)).isInstanceOfSatisfying(Unrecognized.class,
                u -> assertThat(u.reason()).contains("without ObjectCreated records", "ObjectRemoved:Delete"));
    }

    @Test
    void theS3TestEventIsRecognised() {
        assertThat(messages.classify(sample("s3-test-event.json"))).isInstanceOf(TestEvent.class);
    }

    @Test
    void anEventBridgeObjectCreatedEventYieldsItsObjectWithTheKeyAsItIs() {
        String body = sample("eventbridge-object-created.json").replace("example-key", "input/a b+c.mp4");

        assertThat(messages.classify(body)).isEqualTo(new ObjectCreated(java.util.List.of(new S3ObjectRef(
                "amzn-s3-demo-bucket1", "input/a b+c.mp4", 5, "ObjectCreated:PutObject", "b1946ac92492d2347c6235b4d2611184"))));
    }

    @Test
    void anSnsWrapperIsUnwrapped() {
        ObjectCreated created = (ObjectCreated) messages.classify(sample("sns-wrapped-s3-notification.json"));

        assertThat(created.objects()).extracting(S3ObjectRef::bucket, S3ObjectRef::key)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("reelroute-input",
                        "input/2b9f4c1e-7d3a-4f5b-9c8e-1a2b3c4d5e6f/source.mp4"));
    }

    @Test
    void otherEventBridgeEventsKeepTheirEnvelope() {
        EventBridgeEvent event = (EventBridgeEvent) messages.classify(sample("mediaconvert-job-complete.json"));

        assertThat(event.source()).isEqualTo("aws.mediaconvert");
        assertThat(event.detailType()).isEqualTo("MediaConvert Job State Change");
        assertThat(event.id()).isEqualTo("1234abcd-12ab-34cd-56ef-1234567890ab");
        assertThat(event.detail().path("userMetadata").path("job_id").asText()).isEqualTo("2b9f4c1e-7d3a-4f5b-9c8e-1a2b3c4d5e6f");
    }

    @Test
    void garbageIsUnrecognizedWithAReason() {
        assertThat(messages.classify(null)).isEqualTo(new Unrecognized("empty message"));
        assertThat(messages.classify("  ")).isEqualTo(new Unrecognized("empty message"));
        assertThat(messages.classify("not { json")).isEqualTo(new Unrecognized("not JSON"));
        assertThat(messages.classify("[1,2]")).isEqualTo(new Unrecognized("JSON that is not an object"));
        assertThat(messages.classify("{\"hello\":1}")).isInstanceOfSatisfying(Unrecognized.class,
                u -> assertThat(u.reason()).contains("unknown shape", "hello"));
        assertThat(messages.classify("{\"Records\":{}}")).isEqualTo(new Unrecognized("Records is not an array"));
    }

    @Test
    void snsInsideSnsIsNotUnwrappedForever() {
        String inner = "{\"Type\":\"Notification\",\"Message\":\"{}\"}";
        String outer = "{\"Type\":\"Notification\",\"Message\":" + new ObjectMapper().valueToTree(inner) + "}";

        assertThat(messages.classify(outer)).isInstanceOf(Unrecognized.class);
    }

    private static String sample(String name) {
        try (InputStream in = InboundMessagesTest.class.getResourceAsStream("/events/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
