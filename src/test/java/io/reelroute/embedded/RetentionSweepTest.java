package io.reelroute.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.store.JobStore;
import io.reelroute.testing.ProvisionedEmulators;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The embedded default's stand-in for the lifecycle rules, on the emulated S3. */
class RetentionSweepTest {

    static ProvisionedEmulators emulators;
    static S3Client s3;

    @BeforeAll
    static void start() {
        emulators = ProvisionedEmulators.start();
        s3 = emulators.s3();
    }

    @AfterAll
    static void stop() {
        s3.close();
        emulators.close();
    }

    @Test
    void eachPrefixIsRemovedOnceOlderThanItsRetentionAndNothingElse() {
        String input = ProvisionedEmulators.NAMES.inputBucket();
        String output = ProvisionedEmulators.NAMES.outputBucket();
        String job = "0b6f7c1e-5f4c-4f2a-9d7e-3a1b2c3d4e5f";
        List<String> inputs = List.of("input/" + job + "/source.mp4", "tracks/" + job + "/tracks.mkv",
                "segments/" + job + "/00000_sbs.mp4");
        inputs.forEach(key -> s3.putObject(r -> r.bucket(input).key(key), RequestBody.fromString("x")));
        List<String> outputs = List.of("dead-letters/reelroute-chunking/" + job + "/m.json", "jobs/" + job + "/final.mp4");
        outputs.forEach(key -> s3.putObject(r -> r.bucket(output).key(key), RequestBody.fromString("x")));
        ReelRouteProperties.Retention retention = new ReelRouteProperties.Retention(Duration.ofDays(7), Duration.ofDays(2),
                Duration.ofDays(30), Duration.ofDays(90), Duration.ofHours(1));
        List<RetentionSweep.Rule> rules = RetentionSweep.rules(ProvisionedEmulators.NAMES, retention);

        assertThat(sweepAt(rules, Duration.ofDays(1))).isZero();
        assertThat(sweepAt(rules, Duration.ofDays(3))).as("the segment").isEqualTo(1);
        assertThat(keys(input)).containsExactlyInAnyOrder(inputs.get(0), inputs.get(1));
        assertThat(sweepAt(rules, Duration.ofDays(8))).as("the source and its tracks").isEqualTo(2);
        assertThat(keys(input)).isEmpty();
        assertThat(sweepAt(rules, Duration.ofDays(31))).as("the dead-letter copy").isEqualTo(1);
        assertThat(keys(output)).as("final.mp4 is the user's, kept").containsExactly(outputs.get(1));
    }

    /** DynamoDB Local keeps expired items: the sweep removes job records past their expires_at, and only those. */
    @Test
    void jobRecordsGoOnceTheirRetentionFromTheirEndHasPassed() {
        JobStore jobs = new JobStore(emulators.dynamoDb(), ProvisionedEmulators.NAMES.jobsTable(), Clock.systemUTC(),
                Duration.ofDays(90));
        String ended = JobIds.newId();
        String deleted = JobIds.newId();
        String running = JobIds.newId();
        for (String id : List.of(ended, deleted, running)) {
            jobs.createIfAbsent(id, Mode.SBS, "someone", null);
        }
        jobs.fail(ended, FailurePhase.PROBE, "not a video");
        jobs.markDeleted(deleted);

        assertThat(sweepAt(List.of(), Duration.ofDays(89))).as("within the retention").isZero();
        assertThat(jobs.find(ended)).isPresent();

        assertThat(sweepAt(List.of(), Duration.ofDays(91))).as("the ended and the deleted job's records").isEqualTo(2);
        assertThat(jobs.find(ended)).isEmpty();
        assertThat(jobs.find(deleted)).isEmpty();
        assertThat(jobs.find(running)).as("an unfinished job has no expiry").isPresent();
    }

    private static int sweepAt(List<RetentionSweep.Rule> rules, Duration later) {
        Clock clock = Clock.fixed(Instant.now().plus(later), ZoneOffset.UTC);
        JobStore jobs = new JobStore(emulators.dynamoDb(), ProvisionedEmulators.NAMES.jobsTable(), clock);
        return new RetentionSweep(s3, jobs, rules, clock).sweep();
    }

    private static List<String> keys(String bucket) {
        List<String> keys = new ArrayList<>();
        s3.listObjectsV2Paginator(r -> r.bucket(bucket)).contents().forEach(o -> keys.add(o.key()));
        return keys;
    }
}
