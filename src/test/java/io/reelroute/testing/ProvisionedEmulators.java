package io.reelroute.testing;

import io.reelroute.contract.ResourceNames;
import io.reelroute.embedded.EmbeddedAws;
import io.reelroute.embedded.EmbeddedResourceProvisioner;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The embedded emulators in memory on free ports, with ReelRoute's resources, for tests of one store or bean. */
public final class ProvisionedEmulators implements AutoCloseable {

    public static final ResourceNames NAMES = ResourceNames.fromPrefix("reelroute");

    private final EmbeddedAws aws;
    private final DynamoDbClient dynamoDb;

    private ProvisionedEmulators(EmbeddedAws aws, DynamoDbClient dynamoDb) {
        this.aws = aws;
        this.dynamoDb = dynamoDb;
    }

    public static ProvisionedEmulators start() {
        EmbeddedAws aws = EmbeddedAws.start(new EmbeddedAws.Settings(null, 0, 0, 0, "us-east-1"));
        var any = StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"));
        DynamoDbClient dynamoDb = DynamoDbClient.builder().endpointOverride(aws.dynamoDbEndpoint()).region(Region.US_EAST_1)
                .credentialsProvider(any).build();
        try (S3Client s3 = S3Client.builder().endpointOverride(aws.s3Endpoint()).region(Region.US_EAST_1).credentialsProvider(any)
                        .forcePathStyle(true).build();
                SqsClient sqs = SqsClient.builder().endpointOverride(aws.sqsEndpoint()).region(Region.US_EAST_1).credentialsProvider(any).build()) {
            new EmbeddedResourceProvisioner(s3, sqs, dynamoDb, 5, false).provision(NAMES);
        }
        return new ProvisionedEmulators(aws, dynamoDb);
    }

    public DynamoDbClient dynamoDb() {
        return dynamoDb;
    }

    /** A new S3 client of the emulated S3 (path-style); the caller closes it. */
    public S3Client s3() {
        return S3Client.builder().endpointOverride(aws.s3Endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .forcePathStyle(true).build();
    }

    @Override
    public void close() {
        dynamoDb.close();
        aws.close();
    }
}
