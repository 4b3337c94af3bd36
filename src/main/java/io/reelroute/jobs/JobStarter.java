package io.reelroute.jobs;

import java.util.EnumSet;
import java.util.Set;

import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.InboundMessage.S3ObjectRef;
import io.reelroute.contract.InvalidKeyException;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SourceKey;
import io.reelroute.store.JobStore;

/**
 * Turns an uploaded source object into a job that is ready to chunk: creates the record if none exists
 * (an API may have created it first, with its own mode) and moves it to {@code chunking_in_progress}.
 * A job already past chunking is left alone, so a repeated upload event does nothing.
 */
@Component("jobStarter")
public class JobStarter {

    /** What the upload event leads to: chunk the job, or nothing, with the reason. */
    public record Start(String jobId, Mode mode, boolean chunk, String reason) {
    }

    /** A redelivered event may find the job mid-chunking after a crash: chunking again is safe (same keys). */
    private static final Set<JobStatus> CHUNKABLE = EnumSet.of(JobStatus.CREATED, JobStatus.CHUNKING_IN_PROGRESS);

    private final JobStore jobs;
    private final String inputBucket;
    private final Mode defaultMode;

    public JobStarter(JobStore jobs, ReelRouteProperties properties) {
        this.jobs = jobs;
        this.inputBucket = ResourceNames.fromPrefix(properties.prefix()).inputBucket();
        this.defaultMode = Mode.fromId(properties.defaultMode());
    }

    /** @throws InvalidKeyException for an object outside the layout; such an event is dropped, not retried */
    public Start start(S3ObjectRef object) {
        if (!inputBucket.equals(object.bucket())) {
            throw new InvalidKeyException("object is in bucket '" + object.bucket() + "', not the input bucket '"
                    + inputBucket + "': " + object.key());
        }
        String jobId = SourceKey.parse(object.key()).jobId();
        jobs.createIfAbsent(jobId, defaultMode);
        Job job = jobs.find(jobId).orElseThrow(() -> new IllegalStateException("job " + jobId + " vanished after creation"));
        if (!CHUNKABLE.contains(job.status())) {
            return new Start(jobId, job.mode(), false, "job is already " + job.status().wireName());
        }
        JobStore.Transition moved = jobs.startChunking(jobId);
        if (!moved.applied()) {
            return new Start(jobId, job.mode(), false, "job moved on to " + moved.current().wireName() + " meanwhile");
        }
        return new Start(jobId, job.mode(), true, "chunking");
    }
}
