package io.reelroute.bench;

import java.nio.file.Path;

import org.springframework.context.ConfigurableApplicationContext;

import io.reelroute.aws.AwsResources;
import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.SourceKey;
import io.reelroute.store.JobStore;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Jobs of a benchmark's application: started by uploading a source, awaited by polling the job record. */
final class BenchJobs {

    private BenchJobs() {
    }

    /** Uploads {@code source} as a new job's source, which starts the job; returns its id. */
    static String upload(ConfigurableApplicationContext app, Path source) {
        String bucket = app.getBean(AwsResources.class).names().inputBucket();
        String jobId = JobIds.newId();
        app.getBean(S3Client.class).putObject(r -> r.bucket(bucket).key(new SourceKey(jobId).key()), RequestBody.fromFile(source));
        return jobId;
    }

    /** Whether the job is {@code completed}; a failed job throws with its reason. One read of the job. */
    static boolean completed(ConfigurableApplicationContext app, String jobId) {
        return completed(app.getBean(JobStore.class).find(jobId).orElse(null), jobId);
    }

    private static boolean completed(Job job, String jobId) {
        if (job != null && job.status() == JobStatus.FAILED) {
            throw new IllegalStateException("benchmark job " + jobId + " failed: " + job.failurePhase() + ": " + job.failureReason());
        }
        return job != null && job.status() == JobStatus.COMPLETED;
    }

    /** Whether the job's HLS package is ready; a failed job or package throws with its reason. One read of the job. */
    static boolean hlsReady(ConfigurableApplicationContext app, String jobId) {
        Job job = app.getBean(JobStore.class).find(jobId).orElse(null);
        if (!completed(job, jobId)) {
            return false;
        }
        Job.Hls hls = job.hls();
        if (hls != null && hls.status() == HlsStatus.FAILED) {
            throw new IllegalStateException("benchmark job " + jobId + "'s packaging failed: " + hls.errorMessage());
        }
        return hls != null && hls.status() == HlsStatus.READY;
    }

    /** Waits until the job is {@code completed}. */
    static void awaitCompleted(ConfigurableApplicationContext app, String jobId) throws InterruptedException {
        while (!completed(app, jobId)) {
            Thread.sleep(50);
        }
    }

    /**
     * Waits until the job's HLS package is ready; returns how many times it read the job (one DynamoDB GetItem each,
     * through the application's client, so a request count can leave them out).
     */
    static int awaitHlsReady(ConfigurableApplicationContext app, String jobId) throws InterruptedException {
        int reads = 1;
        while (!hlsReady(app, jobId)) {
            Thread.sleep(100);
            reads++;
        }
        return reads;
    }
}
