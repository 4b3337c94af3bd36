package io.reelroute.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.ResourceNames;
import io.reelroute.embedded.EmbeddedAws;
import io.reelroute.embedded.EmbeddedResourceProvisioner;
import io.reelroute.store.JobStore.Outcome;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Forward-only status changes as conditional writes, against DynamoDB Local. */
class JobStoreTest {

    private static EmbeddedAws aws;
    private static DynamoDbClient dynamoDb;
    private static JobStore jobs;

    @BeforeAll
    static void start() {
        aws = EmbeddedAws.start(new EmbeddedAws.Settings(null, 0, 0, 0, "us-east-1"));
        var any = StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"));
        dynamoDb = DynamoDbClient.builder().endpointOverride(aws.dynamoDbEndpoint()).region(Region.US_EAST_1).credentialsProvider(any).build();
        try (S3Client s3 = S3Client.builder().endpointOverride(aws.s3Endpoint()).region(Region.US_EAST_1).credentialsProvider(any)
                        .forcePathStyle(true).build();
                SqsClient sqs = SqsClient.builder().endpointOverride(aws.sqsEndpoint()).region(Region.US_EAST_1).credentialsProvider(any).build()) {
            new EmbeddedResourceProvisioner(s3, sqs, dynamoDb, 5, false).provision(ResourceNames.fromPrefix("reelroute"));
        }
        jobs = new JobStore(dynamoDb, "reelroute-jobs", Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        dynamoDb.close();
        aws.close();
    }

    @Test
    void aJobIsCreatedOnceAndKeepsItsFirstMode() {
        String id = JobIds.newId();
        assertThat(jobs.createIfAbsent(id, Mode.ANAGLYPH)).isTrue();
        assertThat(jobs.createIfAbsent(id, Mode.SBS)).isFalse();

        Job job = jobs.find(id).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.CREATED);
        assertThat(job.mode()).isEqualTo(Mode.ANAGLYPH);
        assertThat(job.createdAt()).isNotNull();
    }

    @Test
    void statusMovesForwardOnly() {
        String id = JobIds.newId();
        jobs.createIfAbsent(id, Mode.SBS);

        assertThat(jobs.startChunking(id).outcome()).isEqualTo(Outcome.MOVED);
        assertThat(jobs.startChunking(id).outcome()).isEqualTo(Outcome.ALREADY_THERE);
        assertThat(jobs.chunkingComplete(id, 4).outcome()).isEqualTo(Outcome.MOVED);
        // A late event can't move the job back.
        assertThat(jobs.startChunking(id)).isEqualTo(new JobStore.Transition(Outcome.REJECTED, JobStatus.CHUNKING_COMPLETE));
        assertThat(jobs.moveTo(id, JobStatus.COMPLETED, Map.of()).outcome()).isEqualTo(Outcome.MOVED);
        // A completed job is never failed afterwards.
        assertThat(jobs.fail(id, FailurePhase.STALLED, "late").outcome()).isEqualTo(Outcome.REJECTED);

        Job job = jobs.find(id).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(job.totalSegments()).isEqualTo(4);
        assertThat(job.completedAt()).isNotNull();
        assertThat(job.failurePhase()).isNull();
    }

    @Test
    void aFailedJobKeepsItsPhaseAndReason() {
        String id = JobIds.newId();
        jobs.createIfAbsent(id, Mode.SBS);

        assertThat(jobs.fail(id, FailurePhase.PROBE, "the source is empty (0 bytes)").outcome()).isEqualTo(Outcome.MOVED);
        assertThat(jobs.chunkingComplete(id, 3).outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(jobs.fail(id, FailurePhase.CHUNKING, "second").outcome()).isEqualTo(Outcome.ALREADY_THERE);

        Job job = jobs.find(id).orElseThrow();
        assertThat(job.failurePhase()).isEqualTo(FailurePhase.PROBE);
        assertThat(job.failureReason()).isEqualTo("the source is empty (0 bytes)");
        assertThat(job.totalSegments()).isNull();
    }

    @Test
    void aMissingJobIsReportedNotCreated() {
        String id = JobIds.newId();
        assertThat(jobs.startChunking(id).outcome()).isEqualTo(Outcome.NO_SUCH_JOB);
        assertThat(jobs.find(id)).isEmpty();
    }
}
