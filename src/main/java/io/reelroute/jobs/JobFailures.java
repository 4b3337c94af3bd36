package io.reelroute.jobs;

import org.apache.camel.RuntimeCamelException;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.JobFailure;
import io.reelroute.contract.UnusableMessageException;
import io.reelroute.store.JobStore;
import io.reelroute.transcode.LifecycleEvents;

/**
 * What the error policy (routes/kit/error-policy.camel.yaml) does to a job: fails it with the phase and reason a
 * {@link JobFailure} carries, or notes the error its message is left for redelivery with, in the phase of the hop
 * (the route group) that caught it.
 */
@Component("jobFailures")
public class JobFailures {

    private static final Logger LOG = LoggerFactory.getLogger(JobFailures.class);

    private final JobStore jobs;
    private final LifecycleEvents events;

    public JobFailures(JobStore jobs, LifecycleEvents events) {
        this.jobs = jobs;
        this.events = events;
    }

    /**
     * Fails the job with the failure's phase, reason and detail (if it has one).
     *
     * @param jobId the job the message was about; null if it was not understood that far
     * @return what became of the job: {@code MOVED} to failed, {@code ALREADY_THERE} or {@code REJECTED} (it had
     *         failed or ended before), or {@code NO_SUCH_JOB}: the message named a job that does not exist (or none),
     *         so it is dropped rather than counted as a failed job
     */
    public JobStore.Outcome fail(String jobId, Throwable caught) {
        // A bean called from an expression (setBody, setProperty) reaches the handler wrapped by Camel.
        JobFailure failure = ObjectHelper.getException(JobFailure.class, caught);
        if (failure == null) {
            throw new IllegalStateException("no job failure among the causes of " + caught, caught);
        }
        String phase = failure.phase().wireName();
        if (jobId == null) {
            LOG.warn("Dropped a message that failed in phase {} before naming its job: {}", phase, failure.reason());
            return JobStore.Outcome.NO_SUCH_JOB;
        }
        JobStore.Transition result = jobs.fail(jobId, failure.phase(), failure.reason(), failure.detail());
        if (result.outcome() == JobStore.Outcome.NO_SUCH_JOB) {
            LOG.warn("Job {} does not exist; dropped its message, which failed in phase {}: {}", jobId, phase,
                    failure.reason());
            return result.outcome();
        }
        LOG.warn("Job {} failed in phase {}: {} ({})", jobId, phase, failure.reason(), result.outcome());
        if (result.outcome() == JobStore.Outcome.MOVED) {
            events.publishFailure(jobId);
        }
        return result.outcome();
    }

    /** The unusable message's exception among the causes of what the handler caught (Camel wraps it). */
    public UnusableMessageException unusable(Throwable caught) {
        UnusableMessageException unusable = ObjectHelper.getException(UnusableMessageException.class, caught);
        if (unusable == null) {
            throw new IllegalStateException("no unusable message among the causes of " + caught, caught);
        }
        return unusable;
    }

    /**
     * Notes on the job the error (without Camel's wrappers) its message is about to be left for redelivery with, in the phase of the hop that
     * caught it; whoever gives up on the message later can then say why. Nothing to do without a job id (the message
     * was not understood that far).
     */
    public void noteLastError(String jobId, Throwable caught, String hop) {
        if (jobId == null || caught == null) {
            return;
        }
        Throwable cause = unwrapped(caught);
        String error = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        try {
            jobs.recordLastError(jobId, FailurePhase.ofHop(hop), error);
        } catch (RuntimeException storeDown) {
            // The message is left for redelivery either way; the note is a courtesy.
            LOG.warn("Job {}: could not note the last error ({})", jobId, storeDown.getMessage());
        }
    }

    /** The error a bean threw: a bean called from an expression (setVariable, setBody) reaches the handler wrapped. */
    static Throwable unwrapped(Throwable caught) {
        Throwable error = caught;
        while (error instanceof RuntimeCamelException && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }
}
