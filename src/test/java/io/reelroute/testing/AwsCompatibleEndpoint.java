package io.reelroute.testing;

import java.net.URI;

import io.reelroute.contract.ResourceNames;
import io.reelroute.embedded.EmbeddedResourceProvisioner;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Prepares an external AWS-compatible endpoint (moto, LocalStack, Floci) the way {@code deploy/} prepares
 * AWS: ReelRoute's resources, and the input bucket's notifications to the chunking and video-worker queues.
 * ReelRoute itself creates nothing in AWS mode, so the tests do it first.
 */
public final class AwsCompatibleEndpoint {

    private AwsCompatibleEndpoint() {
    }

    public static void provision(URI endpoint) {
        provision(endpoint, true);
    }

    /** The buckets, queues and tables; the input bucket's S3 → SQS notifications only with {@code s3Notifications}. */
    public static void provision(URI endpoint, boolean s3Notifications) {
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
        try (S3Client s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                        .credentialsProvider(credentials).forcePathStyle(true).build();
                SqsClient sqs = SqsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                        .credentialsProvider(credentials).build();
                DynamoDbClient dynamoDb = DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                        .credentialsProvider(credentials).build()) {
            new EmbeddedResourceProvisioner(s3, sqs, dynamoDb, 5, s3Notifications).provision(ResourceNames.fromPrefix("reelroute"));
        }
    }

    /**
     * The EventBridge rule {@code deploy/} defines: MediaConvert job state changes of ReelRoute's jobs (those with
     * a {@code job_id} in their user metadata) go to the transcode-events queue, whole envelope as the body.
     */
    public static void mediaConvertEventRule(URI endpoint) {
        routeEvents(endpoint, "reelroute-mediaconvert-events", """
                {"source":["aws.mediaconvert"],"detail-type":["MediaConvert Job State Change"],
                 "detail":{"userMetadata":{"job_id":[{"exists":true}]}}}""", "reelroute-transcode-events");
    }

    /** A rule on the default bus that sends the events matching {@code pattern} to the SQS queue {@code queue}. */
    public static void routeEvents(URI endpoint, String rule, String pattern, String queue) {
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
        try (SqsClient sqs = SqsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                        .credentialsProvider(credentials).build();
                EventBridgeClient events = EventBridgeClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                        .credentialsProvider(credentials).build()) {
            String url = sqs.createQueue(r -> r.queueName(queue)).queueUrl();
            String arn = sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            events.putRule(r -> r.name(rule).eventPattern(pattern));
            events.putTargets(r -> r.rule(rule).targets(t -> t.id(queue).arn(arn)));
        }
    }
}
