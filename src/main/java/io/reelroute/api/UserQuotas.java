package io.reelroute.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.store.JobStore;

/**
 * What one user may start: at most {@code reelroute.api.max-active-jobs-per-user} unfinished jobs, and at most
 * {@code reelroute.api.job-creation-rate} new jobs a minute. Over either the answer is 429 with Retry-After.
 * <p>
 * The rate is a token bucket per user, in this process's memory: it holds as many tokens as the rate, and refills
 * at the rate. Buckets of at most {@value #MAX_USERS} users are kept, the least recently used dropped first (a
 * dropped bucket comes back full, which is what an idle user's bucket is anyway). With several API pods each
 * keeps its own buckets, so a user's rate is at most the pods times the setting; the active-jobs quota is read
 * from the table and holds across pods (two creations at the same instant may both pass it).
 */
@Component
public class UserQuotas {

    static final int MAX_USERS = 10_000;
    /** No one knows when a job will end; a minute is a fair time to look again. */
    static final Duration ACTIVE_JOBS_RETRY_AFTER = Duration.ofMinutes(1);
    private static final long MINUTE_NANOS = Duration.ofMinutes(1).toNanos();

    private final JobStore jobs;
    private final int maxActiveJobs;
    private final int perMinute;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
            return size() > MAX_USERS;
        }
    };

    @Autowired
    public UserQuotas(JobStore jobs, ReelRouteProperties properties) {
        this(jobs, properties.api().maxActiveJobsPerUser(), properties.api().jobCreationRate(), System::nanoTime);
    }

    UserQuotas(JobStore jobs, int maxActiveJobs, int perMinute, LongSupplier nanoTime) {
        if (maxActiveJobs < 1 || perMinute < 1) {
            throw new IllegalArgumentException("reelroute.api.max-active-jobs-per-user and job-creation-rate must be"
                    + " at least 1");
        }
        this.jobs = jobs;
        this.maxActiveJobs = maxActiveJobs;
        this.perMinute = perMinute;
        this.nanoTime = nanoTime;
    }

    /**
     * Called before a job of {@code subject}'s is created (POST /jobs, a rerender).
     *
     * @throws ApiException 429 when the user has as many unfinished jobs as allowed, or created as many as the
     *         rate allows in the last minute; Retry-After says when to try again
     */
    public void admitNewJob(String subject) {
        long active = jobs.countUnfinishedOf(subject);
        if (active >= maxActiveJobs) {
            throw ApiException.tryLater(429, "you have " + active + " unfinished jobs, the most a user may have"
                    + " (reelroute.api.max-active-jobs-per-user); wait for one to end, or delete one",
                    ACTIVE_JOBS_RETRY_AFTER);
        }
        Duration wait = take(subject);
        if (!wait.isZero()) {
            throw ApiException.tryLater(429, "a user may create " + perMinute + " jobs a minute"
                    + " (reelroute.api.job-creation-rate); try again in " + ApiException.seconds(wait) + " s",
                    wait);
        }
    }

    /** Takes a token of the user's bucket: zero when one was there, else how long until one will be. */
    Duration take(String subject) {
        long now = nanoTime.getAsLong();
        synchronized (buckets) {
            Bucket bucket = buckets.computeIfAbsent(subject, s -> new Bucket(perMinute, now));
            bucket.refill(now, perMinute);
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return Duration.ZERO;
            }
            return Duration.ofNanos((long) Math.ceil((1 - bucket.tokens) * MINUTE_NANOS / perMinute));
        }
    }

    int trackedUsers() {
        synchronized (buckets) {
            return buckets.size();
        }
    }

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }

        void refill(long now, int perMinute) {
            tokens = Math.min(perMinute, tokens + (double) (now - at) * perMinute / MINUTE_NANOS);
            at = now;
        }
    }
}
