package io.reelroute.jobs;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.reelroute.aws.AwsResources;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.ResourceNames;
import io.reelroute.store.JobStore;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Removes every object of a deleted job: its source, tracks and segments, and everything under jobs/{id}/. The API
 * route runs it right after a deletion (api-purge-job); the watchdog runs it again for a deleted job whose purge is
 * still pending after reelroute.watchdog.stall-after.purge (a restart or an S3 error cut it short). It lists and
 * deletes what is there, so running it twice, or at once from two places, removes the same objects; only when every
 * prefix is empty does the job's record stop saying its purge is pending.
 */
@Component("jobPurge")
public class JobPurge {

    private static final Logger LOG = LoggerFactory.getLogger(JobPurge.class);

    private final JobStore jobs;
    private final S3Client s3;
    private final ResourceNames names;

    @Autowired
    public JobPurge(JobStore jobs, S3Client s3, AwsResources resources) {
        this(jobs, s3, resources.names());
    }

    JobPurge(JobStore jobs, S3Client s3, ResourceNames names) {
        this.jobs = jobs;
        this.s3 = s3;
        this.names = names;
    }

    /** Removes the deleted job's objects; returns how many. Nothing for a job that is not deleted. */
    public int purge(String jobId) {
        JobIds.requireValid(jobId);
        if (jobs.find(jobId).map(Job::deletedAt).isEmpty()) {
            LOG.warn("Job {}: not deleted, so its objects are kept", jobId);
            return 0;
        }
        int removed = removeAll(names.inputBucket(), "input/" + jobId + "/")
                + removeAll(names.inputBucket(), "segments/" + jobId + "/")
                + removeAll(names.inputBucket(), "tracks/" + jobId + "/")
                + removeAll(names.outputBucket(), "jobs/" + jobId + "/");
        jobs.purged(jobId);
        LOG.info("Job {}: {} objects removed", jobId, removed);
        return removed;
    }

    private int removeAll(String bucket, String prefix) {
        List<String> keys = s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key).toList();
        keys.forEach(key -> s3.deleteObject(r -> r.bucket(bucket).key(key)));
        return keys.size();
    }
}
