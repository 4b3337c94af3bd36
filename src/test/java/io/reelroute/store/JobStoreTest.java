package io.reelroute.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

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
import io.reelroute.contract.Tables;
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

    /** Failed jobs are in the ended-jobs index as completed ones are: by when they ended, whichever way they failed. */
    @Test
    void failedJobsAreListedNewestFirstForTheirOwnerOnly() {
        String owner = "owner-" + JobIds.newId();
        Instant start = Instant.parse("2026-12-01T10:00:00Z");
        String stranger = "owner-" + JobIds.newId();
        String first = failedJob(owner, start.plusSeconds(1),
                (store, id) -> store.fail(id, FailurePhase.PROBE, "not a video"));
        String second = failedJob(owner, start.plusSeconds(2),
                (store, id) -> store.failDeadLettered(id, FailurePhase.INFERENCE, "gave up", "dead-letters/x.json"));
        String third = failedJob(owner, start.plusSeconds(3),
                (store, id) -> store.moveTo(id, JobStatus.FAILED, Map.of()));
        String deleted = failedJob(owner, start.plusSeconds(4),
                (store, id) -> store.fail(id, FailurePhase.CHUNKING, "deleted"));
        jobs.markDeleted(deleted);
        String strangers = failedJob(stranger, start.plusSeconds(5),
                (store, id) -> store.fail(id, FailurePhase.PROBE, "not mine"));
        String completed = JobIds.newId();
        jobs.createIfAbsent(completed, Mode.SBS, owner, null);
        jobs.complete(completed);
        String running = JobIds.newId();
        jobs.createIfAbsent(running, Mode.SBS, owner, null);

        JobStore.Page all = jobs.endedOf(owner, JobStatus.FAILED, 10, null);
        assertThat(all.jobs()).extracting(Job::jobId).containsExactly(third, second, first);
        assertThat(all.jobs()).extracting(Job::completedAt)
                .containsExactly(start.plusSeconds(3), start.plusSeconds(2), start.plusSeconds(1));
        assertThat(all.lastKey()).isNull();
        assertThat(jobs.endedOf(owner, JobStatus.COMPLETED, 10, null).jobs()).extracting(Job::jobId)
                .containsExactly(completed);
        assertThat(ids(jobs.endedOf(stranger, JobStatus.FAILED, 10, null))).containsExactly(strangers);

        JobStore.Page page1 = jobs.endedOf(owner, JobStatus.FAILED, 2, null);
        assertThat(page1.jobs()).extracting(Job::jobId).containsExactly(third, second);
        assertThat(page1.lastKey()).isNotNull();
        JobStore.Page page2 = jobs.endedOf(owner, JobStatus.FAILED, 2, page1.lastKey());
        assertThat(page2.jobs()).extracting(Job::jobId).containsExactly(first);

        assertThatThrownBy(() -> jobs.endedOf(owner, JobStatus.CREATED, 10, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(jobs.find(running).orElseThrow().completedAt()).isNull();
    }

    @Test
    void aFailureKeepsItsDetailCutToItsEnd() {
        String id = JobIds.newId();
        jobs.createIfAbsent(id, Mode.SBS);
        String stderr = "x".repeat(3000) + "\n[h264 @ 0x55] Invalid data found when processing input\n";

        jobs.fail(id, FailurePhase.CHUNKING, "ffmpeg could not read the source", stderr);

        Job job = jobs.find(id).orElseThrow();
        assertThat(job.failureReason()).isEqualTo("ffmpeg could not read the source");
        assertThat(job.failureDetail()).hasSize(2001).startsWith("…")
                .endsWith("[h264 @ 0x55] Invalid data found when processing input");
        assertThat(job.completedAt()).as("when it ended").isNotNull();

        String plain = JobIds.newId();
        jobs.createIfAbsent(plain, Mode.SBS);
        jobs.fail(plain, FailurePhase.PROBE, "not a video", "  ");
        assertThat(jobs.find(plain).orElseThrow().failureDetail()).isNull();
        assertThat(item(plain)).doesNotContainKey(Tables.FAILURE_DETAIL).containsKey(Tables.COMPLETED_AT);
    }

    /** A retried job runs again: it leaves the failed list, without its failure, detail or end time. */
    @Test
    void aRetriedJobLeavesTheFailedListWithoutItsFailure() {
        String owner = "owner-" + JobIds.newId();
        String id = JobIds.newId();
        jobs.createIfAbsent(id, Mode.SBS, owner, "retried");
        jobs.chunkingComplete(id, 2);
        jobs.fail(id, FailurePhase.REASSEMBLY, "ffmpeg exited with 1", "Conversion failed!");
        assertThat(ids(jobs.endedOf(owner, JobStatus.FAILED, 10, null))).containsExactly(id);

        assertThat(jobs.resetFailed(id, JobStatus.CHUNKING_COMPLETE)).isTrue();

        assertThat(jobs.endedOf(owner, JobStatus.FAILED, 10, null).jobs()).isEmpty();
        Job job = jobs.find(id).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.CHUNKING_COMPLETE);
        assertThat(job.failurePhase()).isNull();
        assertThat(job.failureReason()).isNull();
        assertThat(job.failureDetail()).isNull();
        assertThat(job.completedAt()).isNull();
        assertThat(item(id)).doesNotContainKeys(Tables.FAILURE_DETAIL, Tables.COMPLETED_AT);

        // Failing again lists it again, with the new failure.
        jobs.fail(id, FailurePhase.REASSEMBLY, "disk full");
        assertThat(jobs.endedOf(owner, JobStatus.FAILED, 10, null).jobs()).singleElement()
                .satisfies(failed -> assertThat(failed.failureDetail()).isNull());
    }

    /** A new job of {@code owner}, failed by {@code failing} through a store whose clock reads {@code endedAt}. */
    private static String failedJob(String owner, Instant endedAt, BiConsumer<JobStore, String> failing) {
        String id = JobIds.newId();
        jobs.createIfAbsent(id, Mode.SBS, owner, null);
        failing.accept(new JobStore(dynamoDb, "reelroute-jobs", Clock.fixed(endedAt, ZoneOffset.UTC)), id);
        assertThat(jobs.find(id).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
        return id;
    }

    private static List<String> ids(JobStore.Page page) {
        return page.jobs().stream().map(Job::jobId).toList();
    }

    private static Map<String, AttributeValue> item(String id) {
        return dynamoDb.getItem(r -> r.tableName("reelroute-jobs").consistentRead(true)
                .key(Map.of("job_id", AttributeValue.fromS(id)))).item();
    }
}
