package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.SourceKey;
import io.reelroute.jobs.Watchdog;
import io.reelroute.testing.EmbeddedDefaultTest;
import io.reelroute.testing.RouteTestSupport;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The stall watchdog on the embedded emulators with no S3 notifications at all (the bridge route is off), so
 * every upload and segment event is lost: the watchdog alone drives a job to completion. Jobs it can't repair
 * end failed in phase stalled, saying why; only the lease holder sweeps.
 */
@EmbeddedDefaultTest
@TestPropertySource(properties = {
    "camel.main.route-filter-exclude-pattern=embedded-s3-*",
    "reelroute.sqs.wait-time-seconds=1",
    "reelroute.chunking.segment-seconds=4",
    "reelroute.inference.concurrent-consumers=2",
    "reelroute.media.work-dir=target/test-work-watchdog",
    "reelroute.watchdog.interval=1s",
    "reelroute.watchdog.lease=5s",
    "reelroute.watchdog.max-repairs=8",
    "reelroute.watchdog.stall-after.created=3s",
    "reelroute.watchdog.stall-after.chunking=6s",
    "reelroute.watchdog.stall-after.inference=6s",
    "reelroute.watchdog.stall-after.reassembly=6s",
    "reelroute.watchdog.stall-after.packaging=30s",
})
class WatchdogIT extends RouteTestSupport {

    @Autowired
    Watchdog watchdog;

    @Test
    void lostUploadAndSegmentEventsAreSentAgainUntilTheJobCompletes() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        s3.putObject(r -> r.bucket(resources.names().inputBucket()).key(SourceKey.keyFor(jobId)),
                RequestBody.fromFile(TestVideos.clip(8, 320, 240, true)));

        Job done = await().atMost(PATIENCE).until(() -> jobs.find(jobId).orElseThrow(), job -> {
            assertThat(job.status()).isNotEqualTo(JobStatus.FAILED);
            return job.status() == JobStatus.COMPLETED && job.hls() != null && job.hls().status() == HlsStatus.READY;
        });
        assertThat(done.completedSegments()).isEqualTo(2);
        assertThat(done.watchdogRepairs()).isBetween(2, 8);
        assertThat(repairs(Watchdog.Action.RESENT_UPLOAD_EVENT)).isGreaterThanOrEqualTo(1);
        assertThat(repairs(Watchdog.Action.RESENT_SEGMENT_EVENTS)).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aJobWhoseSourceNeverCameFailsAsStalledSayingSo() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        Job failed = await().atMost(PATIENCE).until(() -> jobs.find(jobId).orElseThrow(),
                job -> job.status() == JobStatus.FAILED);
        assertThat(failed.failurePhase()).isEqualTo(FailurePhase.STALLED);
        assertThat(failed.failureReason()).contains("no source was uploaded to s3://")
                .contains(SourceKey.keyFor(jobId));
    }

    @Test
    void aJobWhoseSegmentInputsAreGoneFailsAsStalledNamingThem() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.ANAGLYPH);
        jobs.startChunking(jobId);
        jobs.chunkingComplete(jobId, 2);
        Job failed = await().atMost(PATIENCE).until(() -> jobs.find(jobId).orElseThrow(),
                job -> job.status() == JobStatus.FAILED);
        assertThat(failed.failurePhase()).isEqualTo(FailurePhase.STALLED);
        assertThat(failed.failureReason()).contains("chunking_complete with no progress for")
                .contains("segment inputs are gone").contains("segments/" + jobId + "/00000_anaglyph.mp4")
                .contains("segments/" + jobId + "/00001_anaglyph.mp4");
    }

    @Test
    void aCompletedJobWhosePackagingRequestWasLostIsPackaged() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        s3.putObject(r -> r.bucket(resources.names().outputBucket()).key(OutputKeys.finalVideo(jobId)),
                RequestBody.fromFile(TestVideos.clip(4, 320, 240, true)));
        jobs.complete(jobId);

        Watchdog.Repair repair = watchdog.repair(jobs.find(jobId).orElseThrow());

        assertThat(repair.action()).isEqualTo(Watchdog.Action.RESENT_PACKAGING_REQUEST);
        Job packaged = await().atMost(PATIENCE).until(() -> jobs.find(jobId).orElseThrow(),
                job -> job.hls() != null && job.hls().status() == HlsStatus.READY);
        assertThat(packaged.watchdogRepairs()).isEqualTo(1);
    }

    @Test
    void repairsThatDoNotHelpEndInFailure() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        jobs.startChunking(jobId);
        for (int i = 0; i < 8; i++) {
            assertThat(jobs.recordRepair(jobId, JobStatus.CHUNKING_IN_PROGRESS)).isTrue();
        }
        Watchdog.Repair repair = watchdog.repair(jobs.find(jobId).orElseThrow());
        assertThat(repair.action()).isEqualTo(Watchdog.Action.FAILED_JOB);
        Job failed = jobs.find(jobId).orElseThrow();
        assertThat(failed.failurePhase()).isEqualTo(FailurePhase.STALLED);
        assertThat(failed.failureReason()).contains("chunking_in_progress").contains("8 repairs did not help");
        assertThat(jobs.recordRepair(jobId, JobStatus.CHUNKING_IN_PROGRESS)).isFalse();
    }

    @Test
    void oneProcessHoldsALeaseUntilItRunsOut() throws Exception {
        assertThat(jobs.holdLease("test", "pod-a", Duration.ofSeconds(30))).isTrue();
        assertThat(jobs.holdLease("test", "pod-b", Duration.ofSeconds(30))).isFalse();
        assertThat(jobs.holdLease("test", "pod-a", Duration.ofMillis(1))).isTrue();
        Thread.sleep(20);
        assertThat(jobs.holdLease("test", "pod-b", Duration.ofSeconds(30))).isTrue();
        assertThat(jobs.holdLease("test", "pod-a", Duration.ofSeconds(30))).isFalse();
        // The lease item is not a job: job scans and reads never see it.
        assertThat(jobs.find("lease#test")).isEmpty();
    }

    private double repairs(Watchdog.Action action) {
        return count("reelroute.watchdog.repairs", "action", action.name());
    }
}
