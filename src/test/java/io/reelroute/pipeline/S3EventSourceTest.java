package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.InboundMessage.S3ObjectRef;
import io.reelroute.contract.InboundMessages;
import io.reelroute.testing.HopContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The event-source route template (routes/kit/s3-event-source.camel.yaml) in a bare CamelContext: what it does with
 * each shape of message (its SQS consumer replaced by a direct endpoint), and the consumers the upload-event and
 * inference hops make of it, with the queue settings those hops have always had.
 */
class S3EventSourceTest {

    private static final Map<String, String> SETTINGS = Map.of(
            "reelroute.prefix", "reelroute",
            "reelroute.sqs.wait-time-seconds", "7",
            "reelroute.sqs.visibility-timeout.chunking", "61",
            "reelroute.sqs.visibility-timeout.video-worker", "62",
            "reelroute.queue-url.chunking", "http://sqs/chunking",
            "reelroute.queue-url.video-worker", "http://sqs/video-worker",
            "reelroute.chunking.concurrent-consumers", "3",
            "reelroute.inference.concurrent-consumers", "4");

    @Test
    void createdObjectsGoToTheEndpointOneByOneAndTestEventsAndUnknownMessagesAreDroppedAndCounted() throws Exception {
        try (HopContext hop = HopContext.with(SETTINGS)
                .bind("inboundMessages", new InboundMessages(new ObjectMapper()))
                .load("s3-event-source.camel.yaml")
                .instance("s3-event-source", "test-source", Map.of("hop", "test-hop", "queue", "chunking", "to", "mock:objects"))
                .advice("test-source", route -> route.replaceFromWith("direct:messages"))
                .start()) {
            hop.send("direct:messages", notification("input/a/source.mp4", "input/b+c/source.mp4"));
            hop.send("direct:messages", "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Bucket\":\"reelroute-input\"}");
            hop.send("direct:messages", "{not json");
            hop.send("direct:messages", "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectRemoved:Delete\"}]}");

            assertThat(hop.mock("mock:objects").getExchanges()).extracting(e -> e.getMessage().getBody(S3ObjectRef.class).key())
                    .containsExactly("input/a/source.mp4", "input/b c/source.mp4");
            assertThat(hop.counted("reelroute.messages.dropped", "hop", "test-hop", "reason", "test-event")).isEqualTo(1);
            assertThat(hop.counted("reelroute.messages.dropped", "hop", "test-hop", "reason", "unrecognized")).isEqualTo(2);
        }
    }

    @Test
    void theUploadEventAndInferenceHopsConsumeTheirQueuesWithTheirSettings() throws Exception {
        try (HopContext hop = HopContext.with(SETTINGS)
                .bind("inboundMessages", new InboundMessages(new ObjectMapper()))
                .bind("sqsClient", SqsClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create("http://127.0.0.1:9"))
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build())
                .withoutAutoStartup()
                .load("s3-event-source.camel.yaml")
                .instancesOf("s3-event-source", "upload-event.camel.yaml")
                .instancesOf("s3-event-source", "inference.camel.yaml")
                .start()) {
            assertThat(hop.camel().getRoute("upload-event").getEndpoint().getEndpointUri()).isEqualTo("aws2-sqs://reelroute-chunking"
                    + "?concurrentConsumers=3&extendMessageVisibility=true&greedy=true&maxMessagesPerPoll=1"
                    + "&queueUrl=http://sqs/chunking&visibilityTimeout=61&waitTimeSeconds=7");
            assertThat(hop.camel().getRoute("inference").getEndpoint().getEndpointUri()).isEqualTo("aws2-sqs://reelroute-video-worker"
                    + "?concurrentConsumers=4&extendMessageVisibility=true&greedy=true&maxMessagesPerPoll=1"
                    + "&queueUrl=http://sqs/video-worker&visibilityTimeout=62&waitTimeSeconds=7");
        }
    }

    private static String notification(String... keys) {
        StringBuilder records = new StringBuilder();
        for (String key : keys) {
            records.append(records.isEmpty() ? "" : ",").append("""
                    {"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"reelroute-input"},\
                    "object":{"key":"%s","size":1}}}""".formatted(key.replace(" ", "+")));
        }
        return "{\"Records\":[" + records + "]}";
    }
}
