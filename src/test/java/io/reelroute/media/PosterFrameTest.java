package io.reelroute.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.apache.camel.CamelExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.JobIds;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.SourceKey;
import io.reelroute.embedded.EmbeddedAws;
import io.reelroute.jobs.JobSources;
import io.reelroute.media.PosterFrames.PosterFrame;
import io.reelroute.testing.HopContext;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The poster-frame hop (routes/poster-frame.camel.yaml) in a bare CamelContext, against S3Mock: a still of the
 * uploaded source lands under jobs/{job_id}/poster.jpg at the asked width and the source's aspect, and its work
 * folder is gone afterwards, whether it worked or not.
 */
class PosterFrameTest {

    private static final MediaTools TOOLS = MediaTools.bundled();

    private static EmbeddedAws aws;
    private static S3Client s3;

    @TempDir
    static Path work;

    @BeforeAll
    static void startS3() {
        aws = EmbeddedAws.start(new EmbeddedAws.Settings(null, 0, 0, 0, "us-east-1"));
        s3 = S3Client.builder().endpointOverride(aws.s3Endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
        s3.createBucket(r -> r.bucket("reelroute-input"));
        s3.createBucket(r -> r.bucket("reelroute-output"));
    }

    @AfterAll
    static void stopS3() {
        s3.close();
        aws.close();
    }

    private static HopContext hop(Map<String, String> parameters) throws Exception {
        PosterFrames posters = new PosterFrames(new JobSources(s3, "reelroute-input"),
                new FileProbe(TOOLS, Duration.ofSeconds(30), new ObjectMapper()), TOOLS, work, Duration.ofSeconds(30));
        return HopContext.with(Map.of("reelroute.output-bucket", "reelroute-output"))
                .bind("s3Client", s3)
                .bind("posterFrames", posters)
                .load("poster-frame.camel.yaml")
                .instance("poster-frame", "test-poster", parameters)
                .start();
    }

    private static String upload(Path video) {
        String jobId = JobIds.newId();
        s3.putObject(r -> r.bucket("reelroute-input").key(SourceKey.keyFor(jobId)), RequestBody.fromFile(video));
        return jobId;
    }

    @Test
    void aStillOfTheSourceAtTheAskedWidthLandsUnderTheJob() throws Exception {
        String jobId = upload(TestVideos.clip(5, 640, 360, true));
        try (HopContext hop = hop(Map.of("endpoint", "test-poster", "width", "320"))) {
            PosterFrame poster = (PosterFrame) hop.request("direct:test-poster", jobId);

            assertThat(poster.key()).isEqualTo(OutputKeys.poster(jobId));
            assertThat(poster.atSeconds()).as("a fifth into the video, by default").isCloseTo(1.0, within(0.1));
            Path still = work.resolve(jobId + ".jpg");
            s3.getObject(r -> r.bucket("reelroute-output").key(OutputKeys.poster(jobId)), still);
            assertThat(TestVideos.codecs(still)).containsExactly("mjpeg");
            assertThat(TestVideos.videoSize(still)).containsExactly(320, 180);
        }
        assertThat(leftovers()).as("work folders left").isEmpty();
    }

    @Test
    void aPortraitSourceNarrowerThanTheWidthKeepsItsSize() throws Exception {
        String jobId = upload(TestVideos.clip(2, 360, 640, false));
        try (HopContext hop = hop(Map.of("endpoint", "test-poster"))) {
            PosterFrame poster = (PosterFrame) hop.request("direct:test-poster", jobId);

            assertThat(poster.width()).isEqualTo(360);
            assertThat(poster.height()).isEqualTo(640);
            Path still = work.resolve(jobId + ".jpg");
            s3.getObject(r -> r.bucket("reelroute-output").key(poster.key()), still);
            assertThat(TestVideos.videoSize(still)).containsExactly(360, 640);
        }
    }

    @Test
    void aPhoneClipRecordedUprightGivesAnUprightPoster() throws Exception {
        String jobId = upload(TestVideos.rotated(TestVideos.clip(2, 640, 360, true), 90));
        try (HopContext hop = hop(Map.of("endpoint", "test-poster", "width", "320"))) {
            PosterFrame poster = (PosterFrame) hop.request("direct:test-poster", jobId);

            assertThat(poster.width()).isEqualTo(320);
            assertThat(poster.height()).isEqualTo(568);
            Path still = work.resolve(jobId + ".jpg");
            s3.getObject(r -> r.bucket("reelroute-output").key(poster.key()), still);
            assertThat(TestVideos.videoSize(still)).containsExactly(320, 568);
        }
    }

    @Test
    void aSourceWithNoVideoIsRefusedAndLeavesNothing() throws Exception {
        String jobId = upload(TestVideos.audioOnly(2));
        try (HopContext hop = hop(Map.of("endpoint", "test-poster"))) {
            assertThatThrownBy(() -> hop.request("direct:test-poster", jobId))
                    .isInstanceOf(CamelExecutionException.class)
                    .hasRootCauseInstanceOf(UnprocessableSourceException.class)
                    .rootCause().hasMessageContaining("no video");
        }
        assertThat(s3.listObjectsV2(r -> r.bucket("reelroute-output").prefix("jobs/" + jobId)).contents()).isEmpty();
        assertThat(leftovers()).as("work folders left").isEmpty();
    }

    private static java.util.List<Path> leftovers() throws java.io.IOException {
        try (var listing = Files.list(work)) {
            return listing.filter(Files::isDirectory).toList();
        }
    }
}
