package io.reelroute.embedded;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.ResourceNames;
import io.reelroute.store.JobStore;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The embedded default's stand-in for the buckets' lifecycle rules (S3Mock has none): removes objects older than
 * their retention (reelroute.retention.*), by prefix, as the rules in deploy/terraform/storage.tf do on AWS; and for
 * the Jobs table's TTL (DynamoDB Local deletes nothing): removes job records whose expires_at has passed.
 */
@Component("retentionSweep")
public class RetentionSweep {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionSweep.class);

    /** Objects under {@code prefix} of {@code bucket} are removed once older than {@code keep}. */
    public record Rule(String bucket, String prefix, Duration keep) {
    }

    private final S3Client s3;
    private final JobStore jobs;
    private final List<Rule> rules;
    private final Clock clock;

    @Autowired
    public RetentionSweep(S3Client s3, JobStore jobs, ReelRouteProperties properties) {
        this(s3, jobs, rules(ResourceNames.fromPrefix(properties.prefix()), properties.retention()), Clock.systemUTC());
    }

    RetentionSweep(S3Client s3, JobStore jobs, List<Rule> rules, Clock clock) {
        this.s3 = s3;
        this.jobs = jobs;
        this.rules = rules;
        this.clock = clock;
    }

    /** The rules of the deployment's retention settings, one per kept prefix. */
    static List<Rule> rules(ResourceNames names, ReelRouteProperties.Retention retention) {
        return List.of(new Rule(names.inputBucket(), "input/", retention.sources()),
                new Rule(names.inputBucket(), "tracks/", retention.sources()),
                new Rule(names.inputBucket(), "segments/", retention.segments()),
                new Rule(names.outputBucket(), "dead-letters/", retention.deadLetters()));
    }

    /** Removes every object and job record past its retention; returns how many. */
    public int sweep() {
        Instant now = clock.instant();
        int removed = 0;
        for (Rule rule : rules) {
            Instant before = now.minus(rule.keep());
            for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(rule.bucket()).prefix(rule.prefix())).contents()) {
                if (object.lastModified().isBefore(before)) {
                    s3.deleteObject(r -> r.bucket(rule.bucket()).key(object.key()));
                    removed++;
                }
            }
        }
        int records = jobs.removeExpired(now);
        if (removed > 0 || records > 0) {
            LOG.info("Retention: {} objects and {} job records past their retention removed", removed, records);
        }
        return removed + records;
    }
}
