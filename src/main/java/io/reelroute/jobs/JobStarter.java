package io.reelroute.jobs;

import java.util.EnumSet;
import java.util.Set;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import io.reelroute.api.ApiAuth;
import io.reelroute.config.ReelRouteProperties;
import io.reelroute.config.RunModeResolver;
import io.reelroute.contract.InboundMessage.S3ObjectRef;
import io.reelroute.contract.InvalidKeyException;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.SourceKey;
import io.reelroute.pipelines.Pipelines;
import io.reelroute.store.JobStore;

/**
 * Turns an uploaded source object into a job that is ready to chunk: creates the record if none exists
 * (an API or the inbox may have created it first, with its own pipeline and params) and moves it to
 * {@code chunking_in_progress}. A job already past chunking is left alone, so a repeated upload event does
 * nothing. A job nobody created first runs the default pipeline with its defaults; with the API's
 * authentication off (the embedded default) it belongs to the local user, so the page lists it.
 */
@Component("jobStarter")
public class JobStarter {

    /** What the upload event leads to: run the job's pipeline (and which), or nothing, with the reason. */
    public record Start(String jobId, String pipeline, Mode mode, boolean run, String reason) {
    }

    /** A redelivered event may find the job mid-chunking after a crash: chunking again is safe (same keys). */
    private static final Set<JobStatus> CHUNKABLE = EnumSet.of(JobStatus.CREATED, JobStatus.CHUNKING_IN_PROGRESS);

    private final JobStore jobs;
    private final Pipelines pipelines;
    private final String inputBucket;
    /** Who a job started without the API belongs to: the local user with authentication off, else nobody. */
    private final String uploaderOwner;

    @Autowired
    public JobStarter(JobStore jobs, Pipelines pipelines, ReelRouteProperties properties,
            @Value("${" + RunModeResolver.AUTH_PROPERTY + ":false}") boolean authEnabled) {
        this.jobs = jobs;
        this.pipelines = pipelines;
        this.inputBucket = ResourceNames.fromPrefix(properties.prefix()).inputBucket();
        this.uploaderOwner = authEnabled ? null : ApiAuth.LOCAL_SUBJECT;
    }

    /** @throws InvalidKeyException for an object outside the layout; such an event is dropped, not retried */
    public Start start(S3ObjectRef object) {
        if (!inputBucket.equals(object.bucket())) {
            throw new InvalidKeyException("object is in bucket '" + object.bucket() + "', not the input bucket '"
                    + inputBucket + "': " + object.key());
        }
        String jobId = SourceKey.parse(object.key()).jobId();
        create(jobId, null, null);
        Job job = jobs.find(jobId).orElseThrow(() -> new IllegalStateException("job " + jobId + " vanished after creation"));
        if (job.deletedAt() != null) {
            return new Start(jobId, job.pipeline(), job.mode(), false, "job is deleted");
        }
        if (!CHUNKABLE.contains(job.status())) {
            return new Start(jobId, job.pipeline(), job.mode(), false, "job is already " + job.status().wireName());
        }
        if (job.held()) {
            // POST /jobs/{id}/start sends the upload event again once the job is released.
            return new Start(jobId, job.pipeline(), job.mode(), false, "job is held until POST /jobs/" + jobId + "/start");
        }
        JobStore.Transition moved = jobs.startChunking(jobId);
        if (!moved.applied()) {
            return new Start(jobId, job.pipeline(), job.mode(), false, "job moved on to " + moved.current().wireName()
                    + " meanwhile");
        }
        return new Start(jobId, job.pipeline(), job.mode(), true, "started");
    }

    /**
     * A new job for a file dropped into the inbox: {@code inbox/{pipeline}/file} runs that pipeline, a file at the
     * top of the inbox the default one, each with its defaults. The file's name is the job's title.
     *
     * @param relativePath the file's path under the inbox
     * @return the new job's id, under which the file is to be uploaded
     * @throws io.reelroute.pipelines.InvalidJobRequest for a folder that names no pipeline
     */
    public String fromInbox(String relativePath) {
        String[] parts = relativePath.replace('\\', '/').split("/");
        String pipeline = parts.length > 1 ? parts[parts.length - 2] : null;
        String jobId = JobIds.newId();
        create(jobId, pipeline, parts[parts.length - 1]);
        return jobId;
    }

    private void create(String jobId, String pipeline, String title) {
        String chosen = pipeline == null ? pipelines.defaultPipeline() : pipeline;
        jobs.createIfAbsent(jobId, chosen, pipelines.resolve(chosen, null), uploaderOwner, title);
    }
}
