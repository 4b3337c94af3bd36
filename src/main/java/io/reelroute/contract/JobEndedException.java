package io.reelroute.contract;

/**
 * The message is about a job that has failed or been deleted: its work would be spent on a job nobody will see (a
 * GPU's time, for a segment), so the hop drops the message, counted as {@code reason=job-ended}.
 */
public final class JobEndedException extends UnusableMessageException {

    public JobEndedException(String message) {
        super("job-ended", message);
    }

    /** Throws when the job is deleted or failed; {@code what} names the work, e.g. "segment 2 of 5". */
    public static void requireLive(Job job, String what) {
        if (job.deletedAt() != null) {
            throw new JobEndedException(what + ": job " + job.jobId() + " is deleted");
        }
        if (job.status() == JobStatus.FAILED) {
            throw new JobEndedException(what + ": job " + job.jobId() + " has failed");
        }
    }
}
