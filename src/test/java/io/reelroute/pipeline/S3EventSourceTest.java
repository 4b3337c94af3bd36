package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reelroute.testing.HopContext;
import io.reelroute.contract.InboundMessage.S3ObjectRef;
import io.reelroute.contract.InboundMessages;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The event-source route template (routes/s3-event-source.camel.yaml) in a bare CamelContext: what it does with
 * each shape of message (its SQS consumer replaced by a direct endpoint), and the consumers the upload-event and
 * inference hops make of it, with the queue settings those hops have always had.
 */
class S3EventSourceTest {


    @Test
    void createdObjectsGoToTheEndpointOneByOneAndTestEventsAndUnknownMessagesAreDroppedAndCounted() throws Exception {
        try (CamelContext camel = context()) {
            load(camel, Files.readString(HopContext.routeFile("s3-event-source.camel.yaml")));
            load(camel, """
                    - templatedRoute:
                        routeTemplateRef: s3-event-source
                        routeId: test-source
                        parameters:
                          - name: hop
                            value: test-hop
                          - name: queue
                            value: chunking
                          - name: to
                            value: mock:objects
                    """);
            AdviceWith.adviceWith(camel, "test-source", route -> route.replaceFromWith("direct:messages"));
            camel.start();
            MockEndpoint objects = camel.getEndpoint("mock:objects", MockEndpoint.class);
            ProducerTemplate send = camel.createProducerTemplate();

            send.sendBody("direct:messages", notification("input/a/source.mp4", "input/b+c/source.mp4"));
            send.sendBody("direct:messages", "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Bucket\":\"reelroute-input\"}");
            send.sendBody("direct:messages", "{not json");
            send.sendBody("direct:messages", "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectRemoved:Delete\"}]}");

            assertThat(objects.getExchanges()).extracting(e -> e.getMessage().getBody(S3ObjectRef.class).key())
                    .containsExactly("input/a/source.mp4", "input/b c/source.mp4");
            MeterRegistry meters = camel.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
            assertThat(dropped(meters, "test-event")).isEqualTo(1);
            assertThat(dropped(meters, "unrecognized")).isEqualTo(2);
        }
    }

    @Test
    void theUploadEventAndInferenceHopsConsumeTheirQueuesWithTheirSettings() throws Exception {
        try (CamelContext camel = context()) {
            camel.getRegistry().bind("sqsClient", SqsClient.builder().region(Region.US_EAST_1)
                    .endpointOverride(URI.create("http://127.0.0.1:9"))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build());
            camel.setAutoStartup(false);
            load(camel, Files.readString(HopContext.routeFile("s3-event-source.camel.yaml")));
            load(camel, templatedRoutes("upload-event.camel.yaml"));
            load(camel, templatedRoutes("inference.camel.yaml"));
            camel.start();

            assertThat(camel.getRoute("upload-event").getEndpoint().getEndpointUri()).isEqualTo("aws2-sqs://reelroute-chunking"
                    + "?concurrentConsumers=3&extendMessageVisibility=true&greedy=true&maxMessagesPerPoll=1"
                    + "&queueUrl=http://sqs/chunking&visibilityTimeout=61&waitTimeSeconds=7");
            assertThat(camel.getRoute("inference").getEndpoint().getEndpointUri()).isEqualTo("aws2-sqs://reelroute-video-worker"
                    + "?concurrentConsumers=4&extendMessageVisibility=true&greedy=true&maxMessagesPerPoll=1"
                    + "&queueUrl=http://sqs/video-worker&visibilityTimeout=62&waitTimeSeconds=7");
        }
    }

    private static CamelContext context() {
        CamelContext camel = new DefaultCamelContext();
        Properties settings = new Properties();
        settings.putAll(Map.of(
                "reelroute.prefix", "reelroute",
                "reelroute.sqs.wait-time-seconds", "7",
                "reelroute.sqs.visibility-timeout.chunking", "61",
                "reelroute.sqs.visibility-timeout.video-worker", "62",
                "reelroute.queue-url.chunking", "http://sqs/chunking",
                "reelroute.queue-url.video-worker", "http://sqs/video-worker",
                "reelroute.chunking.concurrent-consumers", "3",
                "reelroute.inference.concurrent-consumers", "4"));
        camel.getPropertiesComponent().setInitialProperties(settings);
        camel.getRegistry().bind("inboundMessages", new InboundMessages(new ObjectMapper()));
        camel.getRegistry().bind("metricsRegistry", new SimpleMeterRegistry());
        return camel;
    }

    private static void load(CamelContext camel, String yaml) throws Exception {
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("test.camel.yaml", yaml));
    }

    /** The event-source instances of a hop's file, without its other routes (they need the application's beans). */
    private static String templatedRoutes(String file) throws IOException {
        Yaml yaml = new Yaml();
        List<?> elements = yaml.load(Files.readString(HopContext.routeFile(file)));
        return yaml.dump(elements.stream().filter(e -> ((Map<?, ?>) e).get("templatedRoute") instanceof Map<?, ?> t
                && "s3-event-source".equals(t.get("routeTemplateRef"))).toList());
    }

    private static double dropped(MeterRegistry meters, String reason) {
        var counter = meters.find("reelroute.messages.dropped").tags("hop", "test-hop", "reason", reason).counter();
        return counter == null ? 0 : counter.count();
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
