package io.reelroute.jobs;

import org.apache.camel.Exchange;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.store.JobStore;
import io.reelroute.transcode.LifecycleEvents;

/**
 * Ends a job {@code failed} with the phase and reason of the failure a route caught: a
 * {@link PermanentJobFailure} names its phase; any other exception takes the phase from the exchange
 * property {@code failurePhase} that the route's error handler sets.
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
     * Notes on the job the error its message is about to be left for redelivery with, under the phase in the
     * exchange property {@code failurePhase}; whoever gives up on the message later can then say why. Nothing to
     * do without a job id (the message was not understood that far).
     */
    public void recordLastError(Exchange exchange) {
        String jobId = exchange.getProperty("jobId", String.class);
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (caught == null) {
            caught = exchange.getException();
        }
        if (jobId == null || caught == null) {
            return;
        }
        FailurePhase phase = FailurePhase.fromWireName(exchange.getProperty("failurePhase", String.class));
        String error = caught.getClass().getSimpleName() + ": " + caught.getMessage();
        try {
            jobs.recordLastError(jobId, phase, error);
        } catch (RuntimeException storeDown) {
            // The message is left for redelivery either way; the note is a courtesy.
            LOG.warn("Job {}: could not note the last error ({})", jobId, storeDown.getMessage());
        }
    }

    /**
     * Fails the exchange's job with the caught exception's message, in the exception's phase or the one in the
     * exchange property {@code failurePhase}.
     *
     * @return what became of the job: {@code MOVED} to failed, {@code ALREADY_THERE} or {@code REJECTED} (it had
     *         failed or ended before), or {@code NO_SUCH_JOB}: the message named a job that does not exist, so it
     *         is dropped rather than counted as a failed job
     */
    public JobStore.Outcome record(Exchange exchange) {
        String jobId = exchange.getProperty("jobId", String.class);
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (jobId == null || caught == null) {
            throw new IllegalStateException("no job id or caught exception on the exchange");
        }
        // A bean called from an expression (setBody, setProperty) reaches the handler wrapped by Camel.
        PermanentJobFailure permanent = ObjectHelper.getException(PermanentJobFailure.class, caught);
        if (permanent != null) {
            caught = permanent;
        }
        FailurePhase phase = permanent != null ? permanent.phase()
                : FailurePhase.fromWireName(exchange.getProperty("failurePhase", String.class));
        JobStore.Transition result = jobs.fail(jobId, phase, caught.getMessage());
        if (result.outcome() == JobStore.Outcome.NO_SUCH_JOB) {
            LOG.warn("Job {} does not exist; dropped its message, which failed in phase {}: {}", jobId, phase.wireName(),
                    caught.getMessage());
            return result.outcome();
        }
        LOG.warn("Job {} failed in phase {}: {} ({})", jobId, phase.wireName(), caught.getMessage(), result.outcome());
        if (result.outcome() == JobStore.Outcome.MOVED) {
            events.publishFailure(jobId);
        }
        return result.outcome();
    }
}
