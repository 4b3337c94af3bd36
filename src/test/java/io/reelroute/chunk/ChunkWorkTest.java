package io.reelroute.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.embedded.EmbeddedAws;
import io.reelroute.media.FileProbe;
import io.reelroute.media.MediaSteps;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.media.VideoProbe;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The chunk hop's split and hand-off, with the bundled ffmpeg and the embedded S3: each segment is uploaded under its
 * canonical key as soon as ffmpeg has written it, whole, while the split goes on.
 */
class ChunkWorkTest {

    static final VideoProbe EIGHT_SECONDS = new VideoProbe(8.0, "h264", 160, 120, true, "yuv420p");
    static final MediaTools TOOLS = MediaTools.bundled();

    private static EmbeddedAws aws;
    private static S3Client s3;

    @TempDir
    Path work;

    @BeforeAll
    static void startS3() {
        aws = EmbeddedAws.start(new EmbeddedAws.Settings(null, 0, 0, 0, "us-east-1"));
        s3 = S3Client.builder().endpointOverride(aws.s3Endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
        s3.createBucket(r -> r.bucket("reelroute-input"));
    }

    @AfterAll
    static void stopS3() {
        s3.close();
        aws.close();
    }

    /** Records each segment as it is handed on: the segment files ffmpeg had opened by then, and its duration. */
    static final class Handed implements MediaSteps.FinishedSegment {
        final List<Integer> writtenWhenHanded = new ArrayList<>();
        final Map<Integer, Double> seconds = new ConcurrentHashMap<>();
        private final Path dir;

        Handed(Path dir) {
            this.dir = dir;
        }

        @Override
        public void accept(int index, Path file) throws IOException {
            try (var listing = Files.list(dir)) {
                writtenWhenHanded.add((int) listing.filter(p -> p.getFileName().toString().matches("[0-9]{5}\\.mp4")).count());
            }
            seconds.put(index, TestVideos.durationSeconds(file));
        }
    }

    @Test
    void segmentsAreHandedOnWholeWhileTheSplitGoesOn() throws Exception {
        // MPEG-4 Part 2 goes through the H.264 mezzanine: an encode slow enough to see the segments come one by one.
        Path source = work.resolve("camera.avi");
        ProcessRunner.Result made = ProcessRunner.run(TOOLS.ffmpeg(), List.of("-nostdin", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=20", "-c:v", "mpeg4", "-q:v", "4",
                source.toString()), Duration.ofMinutes(1), work.resolve("make.log"));
        assertThat(made.succeeded()).as(made.tail()).isTrue();
        MediaSteps media = media();
        Path dir = work.resolve("segments");
        Handed handed = new Handed(dir);

        MediaSteps.Segments split = media.split(source, dir, 2, false, media.probe(source), handed);

        assertThat(split.files()).hasSize(10);
        assertThat(handed.writtenWhenHanded).hasSize(10);
        assertThat(handed.writtenWhenHanded.get(0)).as("segment files ffmpeg had opened when the first was handed on")
                .isLessThan(10);
        for (int i = 0; i < 10; i++) {
            assertThat(handed.seconds.get(i)).as("segment " + i + " when handed on").isCloseTo(2.0, within(0.1));
        }
    }

    @Test
    void everySegmentIsUploadedUnderItsCanonicalKey() throws Exception {
        Path source = Files.copy(TestVideos.clip(12, 320, 240, true), work.resolve("source.mp4"));
        String jobId = JobIds.newId();
        ChunkWork chunk = chunk("reelroute-input");
        MediaSteps media = media();

        int count = chunk.splitAndHandOn(jobId, Mode.ANAGLYPH, run(source), 4, media.probe(source));

        assertThat(count).isEqualTo(3);
        assertThat(s3.listObjectsV2(r -> r.bucket("reelroute-input").prefix("segments/" + jobId + "/")).contents())
                .extracting(S3Object::key).containsExactly(
                        "segments/" + jobId + "/00000_anaglyph.mp4",
                        "segments/" + jobId + "/00001_anaglyph.mp4",
                        "segments/" + jobId + "/00002_anaglyph.mp4");
        Path first = work.resolve("first.mp4");
        s3.getObject(r -> r.bucket("reelroute-input").key("segments/" + jobId + "/00000_anaglyph.mp4"), first);
        assertThat(TestVideos.durationSeconds(first)).isCloseTo(4.0, within(0.1));
    }

    @Test
    void aSplitThatFailsTakesBackTheSegmentsItHandedOn() throws Exception {
        // The index comes first and declares 8 s, but half the media data is missing: found once the split ends.
        Path source = Files.write(work.resolve("cut-off.mp4"),
                TestVideos.firstHalf(TestVideos.faststart(TestVideos.clip(8, 160, 120, true))));
        String jobId = JobIds.newId();
        MediaSteps media = media();
        VideoProbe probe = media.probe(source);

        assertThatThrownBy(() -> chunk("reelroute-input").splitAndHandOn(jobId, Mode.SBS, run(source), 2, probe))
                .isInstanceOfSatisfying(PermanentJobFailure.class,
                        e -> assertThat(e.getMessage()).startsWith("the source is truncated or damaged"));
        assertThat(s3.listObjectsV2(r -> r.bucket("reelroute-input").prefix("segments/" + jobId + "/")).contents()).isEmpty();
    }

    @Test
    void aFailedUploadFailsTheSplit() throws Exception {
        Path source = Files.copy(TestVideos.clip(8, 320, 240, true), work.resolve("source.mp4"));
        ChunkWork chunk = chunk("no-such-bucket");

        assertThatThrownBy(() -> chunk.splitAndHandOn(JobIds.newId(), Mode.SBS, run(source), 4, media().probe(source)))
                .isInstanceOf(NoSuchBucketException.class);
    }

    @Test
    void mediaThatEndsWellBeforeTheDeclaredDurationIsATruncatedSource() {
        assertThatThrownBy(() -> ChunkWork.requireWholeSource(split(4.0), EIGHT_SECONDS))
                .isInstanceOfSatisfying(PermanentJobFailure.class, e -> {
                    assertThat(e.phase()).isEqualTo(FailurePhase.CHUNKING);
                    assertThat(e.getMessage()).isEqualTo(
                            "the source is truncated or damaged: its picture ends at 4.0 s of the 8.0 s it declares;"
                                    + " upload the whole file again, or export it again if it is damaged");
                });
    }

    @Test
    void containerRoundingAtTheEndIsNotTruncation() {
        assertThatCode(() -> ChunkWork.requireWholeSource(split(7.2), EIGHT_SECONDS)).doesNotThrowAnyException();
        assertThatCode(() -> ChunkWork.requireWholeSource(new MediaSteps.Segments(List.of(Path.of("a.mp4")),
                OptionalDouble.empty()), EIGHT_SECONDS)).doesNotThrowAnyException();
    }

    private static MediaSteps media() {
        return new MediaSteps(new FileProbe(TOOLS, Duration.ofMinutes(1), new ObjectMapper()), TOOLS,
                Duration.ofMinutes(2), Duration.ofMinutes(2));
    }

    private ChunkWork chunk(String bucket) {
        return new ChunkWork(null, null, work, media(), s3, bucket, 4);
    }

    private ChunkWork.Run run(Path source) throws IOException {
        return new ChunkWork.Run(Files.createDirectories(work.resolve("run")), source, null, 0, false);
    }

    private static MediaSteps.Segments split(double end) {
        return new MediaSteps.Segments(List.of(Path.of("00000.mp4")), OptionalDouble.of(end));
    }
}
