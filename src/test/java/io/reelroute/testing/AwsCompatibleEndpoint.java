package io.reelroute.testing;

import java.net.URI;

import io.reelroute.contract.ResourceNames;
import io.reelroute.embedded.EmbeddedResourceProvisioner;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Prepares an external AWS-compatible endpoint (moto, LocalStack, Floci) the way {@code deploy/} prepares
 * AWS: ReelRoute's resources, and the input bucket's notifications to the chunking and video-worker queues.
 * ReelRoute itself creates nothing in AWS mode, so the tests do it first.
 */
public final class AwsCompatibleEndpoint {

    private AwsCompatibleEndpoint() {
    }

    public static void provision(URI endpoint) {
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
        try (S3Client s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                        .credentialsProvider(credentials).forcePathStyle(true).build();
                SqsClient sqs = SqsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                        .credentialsProvider(credentials).build();
                DynamoDbClient dynamoDb = DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                        .credentialsProvider(credentials).build()) {
            new EmbeddedResourceProvisioner(s3, sqs, dynamoDb, 5, true).provision(ResourceNames.fromPrefix("reelroute"));
        }
    }
}
