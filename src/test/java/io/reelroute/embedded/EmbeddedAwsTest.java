package io.reelroute.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.reelroute.contract.ResourceNames;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The embedded emulators speak the real protocols, and a restart on the same data folder loses nothing. */
class EmbeddedAwsTest {

    private static final ResourceNames NAMES = ResourceNames.fromPrefix("reelroute");
    private static final StaticCredentialsProvider ANY = StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"));

    @Test
    void stateSurvivesARestart(@TempDir Path data) throws Exception {
        try (EmbeddedAws aws = start(data); Clients clients = new Clients(aws)) {
            new EmbeddedResourceProvisioner(clients.s3, clients.sqs, clients.dynamoDb, 3, false).provision(NAMES);
            clients.s3.putObject(r -> r.bucket(NAMES.inputBucket()).key("input/a/source.mp4")
                    .tagging("reelroute-lifecycle=expire-segments"), RequestBody.fromString("video bytes"));
            String queue = clients.sqs.getQueueUrl(r -> r.queueName(NAMES.chunkingQueue())).queueUrl();
            clients.sqs.sendMessage(r -> r.queueUrl(queue).messageBody("kept"));
            clients.sqs.sendMessage(r -> r.queueUrl(queue).messageBody("in flight"));
            // One message is received and not deleted: in flight when the process stops.
            assertThat(clients.sqs.receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(1).visibilityTimeout(1)).messages()).hasSize(1);
            clients.dynamoDb.putItem(r -> r.tableName(NAMES.jobsTable()).item(Map.of("job_id", AttributeValue.fromS("j1"),
                    "status", AttributeValue.fromS("created"))));
        }

        try (EmbeddedAws aws = start(data); Clients clients = new Clients(aws)) {
            // Provisioning again keeps what exists.
            new EmbeddedResourceProvisioner(clients.s3, clients.sqs, clients.dynamoDb, 3, false).provision(NAMES);
            assertThat(clients.s3.getObjectAsBytes(r -> r.bucket(NAMES.inputBucket()).key("input/a/source.mp4")).asUtf8String())
                    .isEqualTo("video bytes");
            assertThat(clients.s3.getObjectTagging(r -> r.bucket(NAMES.inputBucket()).key("input/a/source.mp4")).tagSet())
                    .singleElement().satisfies(tag -> assertThat(tag.value()).isEqualTo("expire-segments"));
            String queue = clients.sqs.getQueueUrl(r -> r.queueName(NAMES.chunkingQueue())).queueUrl();
            List<String> bodies = new java.util.ArrayList<>();
            long deadline = System.currentTimeMillis() + 10_000;
            while (bodies.size() < 2 && System.currentTimeMillis() < deadline) {
                for (Message m : clients.sqs.receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
                    bodies.add(m.body());
                }
            }
            assertThat(bodies).containsExactlyInAnyOrder("kept", "in flight");
            assertThat(clients.dynamoDb.getItem(r -> r.tableName(NAMES.jobsTable()).key(Map.of("job_id", AttributeValue.fromS("j1"))))
                    .item().get("status").s()).isEqualTo("created");
        }
    }

    @Test
    void queuesHaveDeadLetterQueuesAndTablesTheirKeys() {
        try (EmbeddedAws aws = EmbeddedAws.start(new EmbeddedAws.Settings(null, 0, 0, 0, "us-east-1"));
                Clients clients = new Clients(aws)) {
            new EmbeddedResourceProvisioner(clients.s3, clients.sqs, clients.dynamoDb, 3, false).provision(NAMES);
            for (String name : NAMES.queues()) {
                String url = clients.sqs.getQueueUrl(r -> r.queueName(name)).queueUrl();
                assertThat(url).startsWith(aws.sqsEndpoint() + "/");
                String redrive = clients.sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.REDRIVE_POLICY))
                        .attributes().get(QueueAttributeName.REDRIVE_POLICY);
                assertThat(redrive).contains(ResourceNames.dlq(name)).containsPattern("\"maxReceiveCount\":\"?3\"?");
            }
            assertThat(clients.dynamoDb.describeTable(r -> r.tableName(NAMES.jobsTable())).table().globalSecondaryIndexes())
                    .singleElement().satisfies(index -> assertThat(index.indexName()).isEqualTo("status-completed_at"));
            assertThat(clients.dynamoDb.describeTimeToLive(r -> r.tableName(NAMES.reassemblyTriggeredTable()))
                    .timeToLiveDescription().attributeName()).isEqualTo("ttl");
            assertThat(clients.s3.listBuckets().buckets()).extracting(b -> b.name()).containsAll(NAMES.buckets());
            aws.close(); // a second close is harmless
        }
    }

    @Test
    void aTakenPortIsReportedWithTheSettingToChange() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> EmbeddedAws.start(new EmbeddedAws.Settings(null, 0, taken.getLocalPort(), 0, "us-east-1")))
                    .hasMessageContaining("port " + taken.getLocalPort() + " for SQS is in use")
                    .hasMessageContaining("reelroute.embedded.sqs-port");
        }
    }

    private static EmbeddedAws start(Path data) {
        return EmbeddedAws.start(new EmbeddedAws.Settings(data, 0, 0, 0, "us-east-1"));
    }

    /** Plain SDK clients, as aws cli or boto3 would talk to the emulators. */
    static final class Clients implements AutoCloseable {
        final S3Client s3;
        final SqsClient sqs;
        final DynamoDbClient dynamoDb;

        Clients(EmbeddedAws aws) {
            s3 = S3Client.builder().endpointOverride(aws.s3Endpoint()).region(Region.US_EAST_1).credentialsProvider(ANY)
                    .forcePathStyle(true).build();
            sqs = SqsClient.builder().endpointOverride(aws.sqsEndpoint()).region(Region.US_EAST_1).credentialsProvider(ANY).build();
            dynamoDb = DynamoDbClient.builder().endpointOverride(aws.dynamoDbEndpoint()).region(Region.US_EAST_1)
                    .credentialsProvider(ANY).build();
        }

        @Override
        public void close() {
            s3.close();
            sqs.close();
            dynamoDb.close();
        }
    }
}
