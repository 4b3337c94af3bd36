package io.reelroute.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.reelroute.embedded.EmbeddedAws;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * A message sent to ElasticMQ with attributes named like Camel's headers (a forged S3 key, file name, HTTP URI,
 * command arguments) reaches a consumer route with none of them as headers; an allowed attribute does, and all of
 * them stay readable as data in CamelAwsSqsMessageAttributes.
 */
class SqsAttributeHeadersTest {

    static EmbeddedAws aws;
    static SqsClient sqs;

    @BeforeAll
    static void start() {
        aws = EmbeddedAws.start(new EmbeddedAws.Settings(null, 0, 0, 0, "us-east-1"));
        sqs = SqsClient.builder().endpointOverride(aws.sqsEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))).build();
    }

    @AfterAll
    static void stop() {
        sqs.close();
        aws.close();
    }

    @Test
    void attributesNamedLikeCamelHeadersNeverBecomeHeaders() throws Exception {
        String queueUrl = sqs.createQueue(r -> r.queueName("forged-attributes")).queueUrl();
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.getRegistry().bind("sqs", sqs);
            new SqsAttributeHeaders(List.of("Tenant")).beforeApplicationStart(camel);
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    // As the dead-letters hop reads its queues: every attribute asked for.
                    from("aws2-sqs:forged-attributes?amazonSQSClient=#sqs&queueUrl=" + queueUrl
                            + "&messageAttributeNames=All&waitTimeSeconds=1").routeId("consumer").to("mock:seen");
                }
            });
            camel.start();
            MockEndpoint seen = camel.getEndpoint("mock:seen", MockEndpoint.class);
            seen.expectedMessageCount(1);

            Map<String, MessageAttributeValue> forged = new LinkedHashMap<>();
            for (String name : List.of("CamelAwsS3Key", "camelFileName", "CamelHttpUri", "CamelExecCommandArgs",
                    "CAMELAWSS3BUCKETNAME", "org.apache.camel.Anything", "tenant", "Other")) {
                forged.put(name, MessageAttributeValue.builder().dataType("String").stringValue("forged-" + name).build());
            }
            sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody("{}").messageAttributes(forged));

            seen.assertIsSatisfied(TimeUnit.SECONDS.toMillis(20));
            Exchange received = seen.getReceivedExchanges().get(0);
            Map<String, Object> headers = received.getMessage().getHeaders();
            // Camel's message headers are case-insensitive: no spelling of a forged name is there.
            for (String name : List.of("CamelAwsS3Key", "CamelFileName", "CamelHttpUri", "CamelExecCommandArgs",
                    "CamelAwsS3BucketName", "org.apache.camel.Anything", "Other")) {
                assertThat(headers).as("header %s", name).doesNotContainKey(name);
            }
            assertThat(received.getMessage().getHeader("tenant", String.class)).isEqualTo("forged-tenant");
            assertThat(received.getMessage().getHeader("CamelAwsSqsMessageAttributes", Map.class)).containsKeys(
                    "CamelAwsS3Key", "CamelExecCommandArgs", "Other");
            assertThat(received.getMessage().getHeader("CamelAwsSqsMessageId", String.class)).isNotBlank();
        }
    }
}
