package io.reelroute.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.ResourceNames;
import io.reelroute.store.JobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The embedded emulators speak the real protocols, and a restart on the same data folder loses nothing. */
class EmbeddedAwsTest {

    private static final StaticCredentialsProvider ANY = StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"));
    private static final String BUCKET = "kept-bucket";
    private static final String KEY = "input/a/source.mp4";
    private static final String QUEUE = "kept-queue";
    private static final String TABLE = "kept-table";

    @Test
    void stateSurvivesARestart(@TempDir Path data) {
        try (EmbeddedAws aws = start(data); Clients clients = new Clients(aws)) {
            assertThat(aws.region()).isEqualTo("us-east-1");
            clients.s3.createBucket(r -> r.bucket(BUCKET));
            clients.s3.putObject(r -> r.bucket(BUCKET).key(KEY).tagging("reelroute-lifecycle=expire-segments"),
                    RequestBody.fromString("video bytes"));
            String queue = clients.sqs.createQueue(r -> r.queueName(QUEUE)).queueUrl();
            assertThat(queue).isEqualTo(aws.sqsEndpoint() + "/000000000000/" + QUEUE);
            clients.sqs.sendMessage(r -> r.queueUrl(queue).messageBody("kept"));
            clients.sqs.sendMessage(r -> r.queueUrl(queue).messageBody("in flight"));
            // One message is received and not deleted: in flight when the emulators stop.
            assertThat(clients.sqs.receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(1).visibilityTimeout(1)).messages())
                    .hasSize(1);
            clients.dynamoDb.createTable(r -> r.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("job_id").attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("job_id").keyType(KeyType.HASH).build()));
            clients.dynamoDb.putItem(r -> r.tableName(TABLE).item(Map.of("job_id", AttributeValue.fromS("j1"),
                    "status", AttributeValue.fromS("created"))));
        }

        try (EmbeddedAws aws = start(data); Clients clients = new Clients(aws)) {
            assertThat(clients.s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(KEY)).asUtf8String()).isEqualTo("video bytes");
            assertThat(clients.s3.getObjectTagging(r -> r.bucket(BUCKET).key(KEY)).tagSet())
                    .containsExactly(Tag.builder().key("reelroute-lifecycle").value("expire-segments").build());
            // ElasticMQ restores queues after its start returns; EmbeddedAws.start waits for that, so the queue
            // is back without retrying.
            String queue = aws.sqsEndpoint() + "/000000000000/" + QUEUE;
            assertThat(clients.sqs.listQueues().queueUrls()).containsExactly(queue);
            assertThat(clients.sqs.getQueueUrl(r -> r.queueName(QUEUE)).queueUrl()).isEqualTo(queue);
            assertThat(receiveAll(clients.sqs, queue, 2)).containsExactlyInAnyOrder("kept", "in flight");
            assertThat(clients.dynamoDb.getItem(r -> r.tableName(TABLE).key(Map.of("job_id", AttributeValue.fromS("j1"))))
                    .item().get("status").s()).isEqualTo("created");
        }
    }

    @Test
    void anS3StoreCutShortByAKilledProcessIsRepairedAtStart(@TempDir Path data) throws IOException {
        String torn = "segments/a/00001_sbs.mp4";
        String other = BUCKET + "-2";
        try (EmbeddedAws aws = start(data); Clients clients = new Clients(aws)) {
            for (String bucket : List.of(BUCKET, other)) {
                clients.s3.createBucket(r -> r.bucket(bucket));
                clients.s3.putObject(r -> r.bucket(bucket).key(KEY), RequestBody.fromString("video bytes"));
                clients.s3.putObject(r -> r.bucket(bucket).key(torn), RequestBody.fromString("segment bytes"));
            }
        }
        // What a kill leaves while S3Mock rewrites its files in place: in both buckets one object's data cut short,
        // and in the first the bucket's key map emptied as well.
        for (String bucket : List.of(BUCKET, other)) {
            try (var folders = Files.list(data.resolve("s3").resolve(bucket))) {
                for (Path folder : folders.filter(Files::isDirectory).toList()) {
                    if (Files.readString(folder.resolve(S3MockStoreRepair.OBJECT_METADATA)).contains(torn)) {
                        Files.writeString(folder.resolve(S3MockStoreRepair.OBJECT_DATA), "segm");
                    }
                }
            }
        }
        Files.write(data.resolve("s3").resolve(BUCKET).resolve(S3MockStoreRepair.BUCKET_METADATA), new byte[0]);

        try (EmbeddedAws aws = start(data); Clients clients = new Clients(aws)) {
            for (String bucket : List.of(BUCKET, other)) {
                assertThat(clients.s3.listObjectsV2(r -> r.bucket(bucket)).contents()).extracting(S3Object::key)
                        .containsExactly(KEY);
                assertThat(clients.s3.getObjectAsBytes(r -> r.bucket(bucket).key(KEY)).asUtf8String()).isEqualTo("video bytes");
                assertThatThrownBy(() -> clients.s3.getObjectAsBytes(r -> r.bucket(bucket).key(torn)))
                        .isInstanceOf(NoSuchKeyException.class);
                // The write the kill interrupted, done again: the bucket goes on as before.
                clients.s3.putObject(r -> r.bucket(bucket).key(torn), RequestBody.fromString("segment bytes"));
            }
        }
        try (EmbeddedAws aws = start(data); Clients clients = new Clients(aws)) {
            for (String bucket : List.of(BUCKET, other)) {
                assertThat(clients.s3.listObjectsV2(r -> r.bucket(bucket)).contents()).extracting(S3Object::key)
                        .containsExactlyInAnyOrder(KEY, torn);
                assertThat(clients.s3.getObjectAsBytes(r -> r.bucket(bucket).key(torn)).asUtf8String()).isEqualTo("segment bytes");
            }
        }
    }

    @Test
    void eachDataFolderKeepsItsOwnQueues(@TempDir Path first, @TempDir Path second) {
        try (EmbeddedAws aws = start(first); Clients clients = new Clients(aws)) {
            clients.sqs.createQueue(r -> r.queueName(QUEUE));
            assertThatThrownBy(() -> start(second)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("only one EmbeddedAws with a data folder can run at a time");
        }
        try (EmbeddedAws aws = start(second); Clients clients = new Clients(aws)) {
            assertThat(clients.sqs.listQueues().queueUrls()).isEmpty();
        }
        try (EmbeddedAws aws = start(first); Clients clients = new Clients(aws)) {
            assertThat(clients.sqs.listQueues().queueUrls()).containsExactly(aws.sqsEndpoint() + "/000000000000/" + QUEUE);
        }
    }

    @Test
    void inMemoryEmulatorsWorkAndCloseTwice() {
        ResourceNames names = ResourceNames.fromPrefix("reelroute");
        EmbeddedAws aws = EmbeddedAws.start(new EmbeddedAws.Settings(null, 0, 0, 0, null));
        try (Clients clients = new Clients(aws)) {
            assertThat(aws.region()).isEqualTo("us-east-1");
            new EmbeddedResourceProvisioner(clients.s3, clients.sqs, clients.dynamoDb, 3, false).provision(names);
            for (String name : names.queues()) {
                String url = clients.sqs.getQueueUrl(r -> r.queueName(name)).queueUrl();
                assertThat(url).isEqualTo(aws.sqsEndpoint() + "/000000000000/" + name);
                String redrive = clients.sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.REDRIVE_POLICY))
                        .attributes().get(QueueAttributeName.REDRIVE_POLICY);
                assertThat(redrive).contains(ResourceNames.dlq(name)).containsPattern("\"maxReceiveCount\":\"?3\"?");
            }
            assertThat(clients.dynamoDb.describeTable(r -> r.tableName(names.jobsTable())).table().globalSecondaryIndexes())
                    .extracting(index -> index.indexName())
                    .containsExactlyInAnyOrder("status-completed_at", "unfinished_owner-created_at", "watch-updated_at");
            assertThat(clients.dynamoDb.describeTimeToLive(r -> r.tableName(names.reassemblyTriggeredTable()))
                    .timeToLiveDescription().attributeName()).isEqualTo("ttl");
            assertThat(clients.dynamoDb.describeTimeToLive(r -> r.tableName(names.jobsTable()))
                    .timeToLiveDescription().attributeName()).isEqualTo("expires_at");
            // A second start keeps what exists (TTL already on, indexes there).
            new EmbeddedResourceProvisioner(clients.s3, clients.sqs, clients.dynamoDb, 3, false).provision(names);
            assertThat(clients.s3.listBuckets().buckets()).extracting(b -> b.name()).containsAll(names.buckets());
        } finally {
            aws.close();
        }
        aws.close(); // a second close is harmless
        assertThat(List.of(aws.s3Endpoint(), aws.sqsEndpoint(), aws.dynamoDbEndpoint())).allSatisfy(endpoint ->
                assertThat(accepts(InetAddress.getLoopbackAddress(), endpoint.getPort())).as("%s after close", endpoint).isFalse());
    }

    /**
     * A data folder from before the sparse indexes: its Jobs table gets them (and TTL), and the watchdog's backfill
     * puts the records written before into them, once.
     */
    @Test
    void anOlderJobsTableGetsTheNewIndexesAndItsRecordsAreBackfilledOnce() {
        ResourceNames names = ResourceNames.fromPrefix("reelroute");
        try (EmbeddedAws aws = EmbeddedAws.start(new EmbeddedAws.Settings(null, 0, 0, 0, null));
                Clients clients = new Clients(aws)) {
            clients.dynamoDb.createTable(r -> r.tableName(names.jobsTable()).billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(attribute("job_id", ScalarAttributeType.S), attribute("status", ScalarAttributeType.S),
                            attribute("completed_at", ScalarAttributeType.N))
                    .keySchema(KeySchemaElement.builder().attributeName("job_id").keyType(KeyType.HASH).build())
                    .globalSecondaryIndexes(index -> index.indexName("status-completed_at")
                            .keySchema(KeySchemaElement.builder().attributeName("status").keyType(KeyType.HASH).build(),
                                    KeySchemaElement.builder().attributeName("completed_at").keyType(KeyType.RANGE).build())
                            .projection(p -> p.projectionType(ProjectionType.ALL))));
            String running = JobIds.newId();
            String done = JobIds.newId();
            clients.dynamoDb.putItem(r -> r.tableName(names.jobsTable()).item(Map.of("job_id", AttributeValue.fromS(running),
                    "status", AttributeValue.fromS("chunking_complete"), "owner", AttributeValue.fromS("alice"),
                    "created_at", AttributeValue.fromN("1000"), "updated_at", AttributeValue.fromN("1000"))));
            clients.dynamoDb.putItem(r -> r.tableName(names.jobsTable()).item(Map.of("job_id", AttributeValue.fromS(done),
                    "status", AttributeValue.fromS("failed"), "owner", AttributeValue.fromS("alice"),
                    "created_at", AttributeValue.fromN("900"), "updated_at", AttributeValue.fromN("950"),
                    "completed_at", AttributeValue.fromN("950"))));

            new EmbeddedResourceProvisioner(clients.s3, clients.sqs, clients.dynamoDb, 3, false).provision(names);

            assertThat(clients.dynamoDb.describeTable(r -> r.tableName(names.jobsTable())).table().globalSecondaryIndexes())
                    .extracting(index -> index.indexName())
                    .containsExactlyInAnyOrder("status-completed_at", "unfinished_owner-created_at", "watch-updated_at");
            assertThat(clients.dynamoDb.describeTimeToLive(r -> r.tableName(names.jobsTable()))
                    .timeToLiveDescription().attributeName()).isEqualTo("expires_at");
            JobStore jobs = new JobStore(clients.dynamoDb, names.jobsTable(), Clock.systemUTC());
            assertThat(jobs.unfinishedOf("alice", 10, null).jobs()).as("before the backfill").isEmpty();

            assertThat(jobs.backfillIndexes()).as("attributes given").isEqualTo(2);

            assertThat(jobs.unfinishedOf("alice", 10, null).jobs()).extracting(Job::jobId).containsExactly(running);
            assertThat(jobs.countUnfinishedOf("alice")).isEqualTo(1);
            assertThat(jobs.unfinishedSince(Instant.now())).extracting(Job::jobId).containsExactly(running);
            assertThat(jobs.backfillIndexes()).as("done once").isEqualTo(-1);
        }
    }

    private static AttributeDefinition attribute(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
    }

    @Test
    void emulatorsListenOnLoopbackOnly() throws IOException {
        Optional<InetAddress> external = externalAddress();
        assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to try");
        try (EmbeddedAws aws = EmbeddedAws.start(new EmbeddedAws.Settings(null, 0, 0, 0, "us-east-1"))) {
            for (URI endpoint : List.of(aws.s3Endpoint(), aws.sqsEndpoint(), aws.dynamoDbEndpoint())) {
                assertThat(accepts(InetAddress.getLoopbackAddress(), endpoint.getPort())).as("%s on loopback", endpoint).isTrue();
                assertThat(accepts(external.get(), endpoint.getPort())).as("%s on %s", endpoint, external.get()).isFalse();
            }
        }
    }

    @Test
    void nothingKeepsRunningAfterClose(@TempDir Path data) throws InterruptedException {
        // One round first: what the libraries start once per JVM and keep is not what a close leaves behind.
        EmbeddedAws.start(new EmbeddedAws.Settings(data, 0, 0, 0, "us-east-1")).close();
        Set<String> before = liveThreads();
        EmbeddedAws.start(new EmbeddedAws.Settings(data, 0, 0, 0, "us-east-1")).close();
        Set<String> left = Set.of();
        for (int i = 0; i < 50; i++) {
            left = liveThreads().stream().filter(t -> !before.contains(t)).collect(Collectors.toSet());
            if (left.isEmpty()) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(left).isEmpty();
    }

    @Test
    void aTakenPortIsReportedWithTheSettingToChange() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> EmbeddedAws.start(new EmbeddedAws.Settings(null, 0, taken.getLocalPort(), 0, "us-east-1")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("port " + taken.getLocalPort() + " for SQS is in use")
                    .hasMessageContaining("reelroute.embedded.sqs-port");
        }
    }

    private static EmbeddedAws start(Path data) {
        return EmbeddedAws.start(new EmbeddedAws.Settings(data, 0, 0, 0, "us-east-1"));
    }

    private static List<String> receiveAll(SqsClient sqs, String queue, int expected) {
        List<String> bodies = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 10_000;
        while (bodies.size() < expected && System.currentTimeMillis() < deadline) {
            for (Message m : sqs.receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
                bodies.add(m.body());
            }
        }
        return bodies;
    }

    /** Non-daemon threads by name and identity: the ones that would keep a JVM alive. */
    private static Set<String> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && !t.isDaemon())
                .map(t -> t.getName() + "#" + t.getId()).collect(Collectors.toSet());
    }

    private static boolean accepts(InetAddress address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 1_000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static Optional<InetAddress> externalAddress() throws SocketException {
        return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst();
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
