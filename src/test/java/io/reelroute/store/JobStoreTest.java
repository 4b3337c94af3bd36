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
import io.reelroute.contract.WebhookStatus;
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

    /**
     * The sparse index attributes follow the job: unfinished_owner while it is unfinished, watch while the watchdog may
     * have to act (unfinished, packaging or a webhook pending, a purge pending), and neither once it needs nothing.
     */
    @Test
    void theSparseIndexAttributesLastOnlyWhileTheJobNeedsThem() {
        String owner = "owner-" + JobIds.newId();
        String packaged = JobIds.newId();
        jobs.createIfAbsent(packaged, Mode.SBS, owner, null);
        assertThat(item(packaged)).containsEntry(Tables.UNFINISHED_OWNER, AttributeValue.fromS(owner))
                .containsEntry(Tables.WATCH, AttributeValue.fromS(Tables.watchShard(packaged)));
        jobs.complete(packaged);
        assertThat(item(packaged)).as("completed, its packaging to come").doesNotContainKey(Tables.UNFINISHED_OWNER)
                .containsKey(Tables.WATCH);
        jobs.hlsSubmitted(packaged, "mc-1");
        jobs.hlsReady(packaged, "jobs/" + packaged + "/hls/master.m3u8");
        assertThat(item(packaged)).as("packaged").doesNotContainKeys(Tables.UNFINISHED_OWNER, Tables.WATCH);

        String failed = JobIds.newId();
        jobs.createIfAbsent(failed, Mode.SBS, owner, null);
        jobs.fail(failed, FailurePhase.PROBE, "not a video");
        assertThat(item(failed)).doesNotContainKeys(Tables.UNFINISHED_OWNER, Tables.WATCH);
        assertThat(jobs.resetFailed(failed, JobStatus.CREATED)).isTrue();
        assertThat(item(failed)).as("retried: unfinished again").containsKeys(Tables.UNFINISHED_OWNER, Tables.WATCH)
                .doesNotContainKey(Tables.EXPIRES_AT);

        String notified = JobIds.newId();
        jobs.createIfAbsent(notified, "stereo", Params.of(JsonNodeFactory.instance.objectNode().put("mode", "sbs")), owner,
                null, "https://example.com/hook");
        jobs.fail(notified, FailurePhase.PROBE, "not a video");
        assertThat(item(notified)).as("its webhook pending").containsKey(Tables.WATCH);
        String delivery = jobs.webhookRequested(notified, "d-1").orElseThrow().webhook().deliveryId();
        jobs.recordWebhookAttempt(notified, delivery, 1, WebhookStatus.DELIVERED, 204, null);
        assertThat(item(notified)).as("delivered").doesNotContainKey(Tables.WATCH);

        String deleted = JobIds.newId();
        jobs.createIfAbsent(deleted, Mode.SBS, owner, null);
        jobs.markDeleted(deleted);
        assertThat(item(deleted)).doesNotContainKey(Tables.UNFINISHED_OWNER).containsKeys(Tables.WATCH, Tables.PURGE_PENDING);
        assertThat(jobs.purgesPendingSince(Instant.now().plusSeconds(1))).extracting(Job::jobId).contains(deleted);
        assertThat(jobs.resetFailed(deleted, JobStatus.CREATED)).as("a deleted job is not run again").isFalse();
        assertThat(jobs.purged(deleted)).isTrue();
        assertThat(item(deleted)).doesNotContainKeys(Tables.WATCH, Tables.PURGE_PENDING);
        assertThat(jobs.purgesPendingSince(Instant.now().plusSeconds(1))).extracting(Job::jobId).doesNotContain(deleted);

        assertThat(jobs.unfinishedOf(owner, 10, null).jobs()).extracting(Job::jobId).containsExactly(failed);
        assertThat(jobs.countUnfinishedOf(owner)).isEqualTo(1);
    }

    /** The owner's unfinished jobs come newest first, a page at a time; the count is of them all. */
    @Test
    void unfinishedJobsAreListedNewestFirstAndCounted() {
        String owner = "owner-" + JobIds.newId();
        Instant start = Instant.parse("2026-12-01T10:00:00Z");
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = JobIds.newId();
            new JobStore(dynamoDb, "reelroute-jobs", Clock.fixed(start.plusSeconds(i), ZoneOffset.UTC))
                    .createIfAbsent(id, Mode.SBS, owner, null);
            ids.add(0, id);
        }
        jobs.startChunking(ids.get(1));
        jobs.complete(ids.get(4));
        List<String> expected = ids.subList(0, 4);

        JobStore.Page first = jobs.unfinishedOf(owner, 3, null);
        assertThat(ids(first)).containsExactlyElementsOf(expected.subList(0, 3));
        assertThat(ids(jobs.unfinishedOf(owner, 3, first.lastKey()))).containsExactly(expected.get(3));
        assertThat(jobs.countUnfinishedOf(owner)).isEqualTo(4);
        assertThat(jobs.countUnfinishedOf("nobody-" + JobIds.newId())).isZero();
    }

    /** A record's expiry is when its job ended (or was deleted) plus the retention, in epoch seconds. */
    @Test
    void anEndedOrDeletedJobsRecordExpiresItsRetentionAfterItsEnd() {
        Instant end = Instant.parse("2026-12-01T10:00:00Z");
        JobStore ending = new JobStore(dynamoDb, "reelroute-jobs", Clock.fixed(end, ZoneOffset.UTC), java.time.Duration.ofDays(30));
        long expected = end.plus(java.time.Duration.ofDays(30)).getEpochSecond();
        String completed = JobIds.newId();
        String failed = JobIds.newId();
        String deleted = JobIds.newId();
        String running = JobIds.newId();
        for (String id : List.of(completed, failed, deleted, running)) {
            jobs.createIfAbsent(id, Mode.SBS, "someone", null);
        }
        ending.complete(completed);
        ending.fail(failed, FailurePhase.PROBE, "not a video");
        ending.markDeleted(deleted);

        for (String id : List.of(completed, failed, deleted)) {
            assertThat(item(id)).as(id).containsEntry(Tables.EXPIRES_AT, AttributeValue.fromN(Long.toString(expected)));
        }
        assertThat(item(running)).doesNotContainKey(Tables.EXPIRES_AT);
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
