package io.reelroute.jobs;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.reelroute.aws.AwsResources;
import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.SegmentKey;
import io.reelroute.contract.SourceKey;
import io.reelroute.store.JobStore;
import io.reelroute.store.SegmentCompletionStore;
import io.reelroute.transcode.LifecycleEvents;
import io.reelroute.webhooks.Webhooks;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The stall watchdog (routes/watchdog.camel.yaml): finds jobs with no progress for longer than their phase's
 * {@code reelroute.watchdog.stall-after} and drives them on, so that no job waits forever on a message that
 * was lost, a worker that died or an event that never came. Each repair is one of {@link Action}; it is
 * counted on the job ({@code watchdog_repairs}) and restarts the job's stall clock, and after
 * {@code reelroute.watchdog.max-repairs} repairs that did not help the job fails in phase {@code stalled} with
 * what was found. It also finishes the purge of a deleted job whose purge is still pending after
 * {@code reelroute.watchdog.stall-after.purge}. It reads the Jobs table's watch index, which holds only the jobs it
 * may have to act on, so a sweep costs what is in progress, not every job ever run. One process at a time sweeps:
 * the one holding the {@code watchdog} lease.
 */
@Component("watchdog")
public class Watchdog {

    /** What the watchdog did about a stalled job. */
    public enum Action {
        /** The source's upload event was sent again (created or chunking). */
        RESENT_UPLOAD_EVENT,
        /** The events of segments without a recorded completion were sent again. */
        RESENT_SEGMENT_EVENTS,
        /** The reassembly hand-off was sent again (all segments done, or a dead worker's lock ran out). */
        RESENT_REASSEMBLY,
        /** Nothing to do yet: a reassembly worker holds an unexpired lock. */
        WAITED_FOR_LOCK,
        /** The job moved on while it was looked at. */
        MOVED_ON,
        /** A completed job's packaging request was sent again: it never reached the packager. */
        RESENT_PACKAGING_REQUEST,
        /** HLS packaging made no progress: it is marked failed (the job stays completed). */
        FAILED_PACKAGING,
        /** The job failed in phase stalled, with what was found. */
        FAILED_JOB,
        /** An ended job's webhook was still pending with nothing happening: its request was sent again. */
        RESENT_WEBHOOK_REQUEST,
        /** A deleted job's purge had not finished: its objects were removed. */
        PURGED_DELETED_JOB
    }

    /** A repair, for the route to log and count. */
    public record Repair(String jobId, Action action, String detail) {
    }

    private final JobStore jobs;
    private final SegmentCompletionStore completions;
    private final Redrive redrive;
    private final LifecycleEvents events;
    private final Webhooks webhooks;
    private final JobPurge purge;
    private final S3Client s3;
    private final String inputBucket;
    private final ReelRouteProperties.Watchdog settings;
    private final String owner;
    private final Clock clock;
    /** Whether this process has seen the records from before the sparse indexes backfilled. */
    private volatile boolean backfilled;

    @Autowired
    public Watchdog(JobStore jobs, SegmentCompletionStore completions, Redrive redrive, LifecycleEvents events,
            Webhooks webhooks, JobPurge purge, S3Client s3, AwsResources resources, ReelRouteProperties properties) {
        this(jobs, completions, redrive, events, webhooks, purge, s3, resources.names().inputBucket(),
                properties.watchdog(), hostName() + "/" + UUID.randomUUID(), Clock.systemUTC());
    }

    Watchdog(JobStore jobs, SegmentCompletionStore completions, Redrive redrive, LifecycleEvents events,
            Webhooks webhooks, JobPurge purge, S3Client s3, String inputBucket, ReelRouteProperties.Watchdog settings,
            String owner, Clock clock) {
        this.jobs = jobs;
        this.webhooks = webhooks;
        this.purge = purge;
        this.completions = completions;
        this.redrive = redrive;
        this.events = events;
        this.s3 = s3;
        this.inputBucket = inputBucket;
        this.settings = settings;
        this.owner = owner;
        this.clock = clock;
    }

    /** Whether this process sweeps now: it took or renewed the lease. */
    public boolean holdsLease() {
        return jobs.holdLease("watchdog", owner, settings.lease());
    }

    /**
     * Jobs whose phase has seen no progress for longer than its setting, and deleted jobs whose purge is still
     * pending after its setting. The first sweep of a process first gives records from before the watch index their
     * index attributes (once per table); every sweep takes out of the index the jobs left in it that need nothing.
     */
    public List<Job> stalledJobs() {
        if (!backfilled) {
            jobs.backfillIndexes();
            backfilled = true;
        }
        Instant now = clock.instant();
        jobs.releaseIdleWatches(now.minus(settings.stallAfter().shortest()));
        List<Job> stalled = new ArrayList<>();
        for (Job job : jobs.unfinishedSince(now.minus(settings.stallAfter().shortest()))) {
            if (job.updatedAt() != null && job.updatedAt().isBefore(now.minus(settings.stallAfter().of(job.status())))) {
                stalled.add(job);
            }
        }
        Instant webhooksBefore = now.minus(settings.stallAfter().webhook());
        for (Job job : jobs.webhooksPendingSince(webhooksBefore)) {
            if (stalled.stream().noneMatch(found -> found.jobId().equals(job.jobId()))) {
                stalled.add(job);
            }
        }
        stalled.addAll(jobs.purgesPendingSince(now.minus(settings.stallAfter().purge())));
        return stalled;
    }

    /** An ended job whose webhook is pending with nothing happening to it for longer than its setting. */
    private boolean webhookStalled(Job job) {
        return job.status().isTerminal() && job.webhook() != null && !job.webhook().status().isFinal()
                && job.webhook().updatedAt() != null
                && job.webhook().updatedAt().isBefore(clock.instant().minus(settings.stallAfter().webhook()));
    }

    /** Repairs one stalled job (or finishes a deleted one's purge). */
    public Repair repair(Job job) {
        String id = job.jobId();
        Duration quiet = Duration.between(job.updatedAt(), clock.instant()).withNanos(0);
        if (job.deletedAt() != null) {
            // Only deleted jobs with a pending purge are listed: nothing else is done for a deleted job.
            int removed = purge.purge(id);
            return new Repair(id, Action.PURGED_DELETED_JOB, "deleted at " + job.deletedAt() + ", its purge unfinished; "
                    + removed + " objects removed");
        }
        if (webhookStalled(job)) {
            // The request was lost (or its next attempt was): requesting again continues the same delivery.
            String request;
            try {
                request = webhooks.request(id);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("could not write the webhook request of job " + id, e);
            }
            if (request == null) {
                return new Repair(id, Action.MOVED_ON, "the webhook delivery ended meanwhile");
            }
            redrive.webhook(request);
            return new Repair(id, Action.RESENT_WEBHOOK_REQUEST, "webhook pending, unchanged since " + job.webhook().updatedAt());
        }
        if (job.status() == JobStatus.COMPLETED && job.hls() == null && job.watchdogRepairs() < settings.maxRepairs()) {
            return repaired(job, Action.RESENT_PACKAGING_REQUEST, "completed " + quiet + " ago, never packaged",
                    () -> redrive.packaging(id));
        }
        if (job.status() == JobStatus.COMPLETED) {
            return jobs.hlsFailed(id, "Stalled", "no HLS packaging progress for " + quiet)
                    ? new Repair(id, Action.FAILED_PACKAGING, "no packaging progress for " + quiet)
                    : new Repair(id, Action.MOVED_ON, "packaging ended meanwhile");
        }
        if (job.reassemblyLockHeld(clock.instant())) {
            return new Repair(id, Action.WAITED_FOR_LOCK, "locked until " + job.reassemblyLockExpiresAt());
        }
        String situation = job.status().wireName() + " with no progress for " + quiet
                + (job.lastError() == null ? "" : "; last error: " + job.lastError());
        if (job.watchdogRepairs() >= settings.maxRepairs()) {
            return fail(job, situation + "; " + job.watchdogRepairs() + " repairs did not help");
        }
        return switch (job.status()) {
            case CREATED, CHUNKING_IN_PROGRESS -> {
                if (!exists(SourceKey.keyFor(id))) {
                    yield fail(job, job.status() == JobStatus.CREATED
                            ? "no source was uploaded to s3://" + inputBucket + "/" + SourceKey.keyFor(id) + " within " + quiet
                            : "the source s3://" + inputBucket + "/" + SourceKey.keyFor(id) + " is gone");
                }
                yield repaired(job, Action.RESENT_UPLOAD_EVENT, situation, () -> redrive.uploadEvent(SourceKey.keyFor(id)));
            }
            case CHUNKING_COMPLETE -> segments(job, situation);
            case REASSEMBLING -> repaired(job, Action.RESENT_REASSEMBLY, situation + "; the reassembly lock is free",
                    () -> redrive.reassembly(id));
            default -> new Repair(id, Action.MOVED_ON, "job is " + job.status().wireName());
        };
    }

    private Repair segments(Job job, String situation) {
        SortedSet<Integer> done = completions.completedIndices(job.jobId());
        if (done.size() >= job.totalSegments()) {
            return repaired(job, Action.RESENT_REASSEMBLY, situation + "; all " + job.totalSegments()
                    + " segments are done", () -> redrive.reassembly(job.jobId()));
        }
        List<String> missing = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        for (int index = 0; index < job.totalSegments(); index++) {
            if (!done.contains(index)) {
                String key = new SegmentKey(job.jobId(), index, job.mode()).key();
                (exists(key) ? missing : lost).add(key);
            }
        }
        if (!lost.isEmpty()) {
            return fail(job, situation + "; segment inputs are gone: " + String.join(", ", lost));
        }
        return repaired(job, Action.RESENT_SEGMENT_EVENTS, situation + "; " + missing.size() + " of "
                + job.totalSegments() + " segments not done", () -> missing.forEach(redrive::segmentEvent));
    }

    /** Counts the repair (only if the job is still where it was found), then makes it. */
    private Repair repaired(Job job, Action action, String detail, Runnable send) {
        if (!jobs.recordRepair(job.jobId(), job.status())) {
            return new Repair(job.jobId(), Action.MOVED_ON, "job moved on from " + job.status().wireName());
        }
        send.run();
        return new Repair(job.jobId(), action, detail);
    }

    private Repair fail(Job job, String reason) {
        JobStore.Transition failed = jobs.fail(job.jobId(), FailurePhase.STALLED, reason);
        if (failed.outcome() != JobStore.Outcome.MOVED) {
            return new Repair(job.jobId(), Action.MOVED_ON, "job is " + failed.current());
        }
        events.publishFailure(job.jobId());
        return new Repair(job.jobId(), Action.FAILED_JOB, reason);
    }

    private boolean exists(String key) {
        try {
            s3.headObject(r -> r.bucket(inputBucket).key(key));
            return true;
        } catch (NoSuchKeyException absent) {
            return false;
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception unknown) {
            return "unknown-host";
        }
    }
}
