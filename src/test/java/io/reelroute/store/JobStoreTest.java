package io.reelroute.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.Params;
import io.reelroute.store.JobStore.Outcome;
import io.reelroute.testing.ProvisionedEmulators;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Forward-only status changes as conditional writes, against DynamoDB Local. */
class JobStoreTest {

    private static ProvisionedEmulators emulators;
    private static DynamoDbClient dynamoDb;
    private static JobStore jobs;

    @BeforeAll
    static void start() {
        emulators = ProvisionedEmulators.start();
        dynamoDb = emulators.dynamoDb();
        jobs = new JobStore(dynamoDb, "reelroute-jobs", Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        emulators.close();
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
    void aJobKeepsItsPipelineAndParams() {
        String id = JobIds.newId();
        Params params = Params.of(JsonNodeFactory.instance.objectNode().put("height", 720).put("codec", "h264"));
        assertThat(jobs.createIfAbsent(id, "renditions", params, "someone", "clip")).isTrue();

        Job job = jobs.find(id).orElseThrow();
        assertThat(job.pipeline()).isEqualTo("renditions");
        assertThat(job.params()).isEqualTo(params);
        assertThat(job.params().number("height")).isEqualTo(720);
        assertThat(job.mode()).as("a pipeline without modes").isNull();
        assertThat(job.owner()).isEqualTo("someone");
    }

    @Test
    void aRecordFromBeforePipelinesIsAStereoJobWithItsMode() {
        String id = JobIds.newId();
        dynamoDb.putItem(r -> r.tableName("reelroute-jobs").item(Map.of("job_id", AttributeValue.fromS(id),
                "status", AttributeValue.fromS("created"), "mode", AttributeValue.fromS("anaglyph"),
                "created_at", AttributeValue.fromN("1"), "updated_at", AttributeValue.fromN("1"))));

        Job job = jobs.find(id).orElseThrow();
        assertThat(job.pipeline()).isEqualTo("stereo");
        assertThat(job.params().mode()).isEqualTo(Mode.ANAGLYPH);
        assertThat(job.mode()).isEqualTo(Mode.ANAGLYPH);
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
