package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import io.reelroute.testing.EmbeddedEmulators;
import io.reelroute.aws.AwsResources;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.Mode;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.SourceKey;
import io.reelroute.store.JobStore;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The exec backend with a model command that fails: once per segment (it is retried with backoff and the job
 * completes), or always, for anaglyph jobs (the job fails in phase inference, naming the segment and the
 * model's own words). On the embedded default.
 */
@CamelSpringBootTest
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
    "reelroute.sqs.wait-time-seconds=1",
    "reelroute.chunking.segment-seconds=4",
    "reelroute.inference.concurrent-consumers=2",
    "reelroute.retries=2",
    "reelroute.retry-delay-ms=200",
    "reelroute.media.work-dir=target/test-work-retry",
})
@TestPropertySource(properties = "reelroute.mode=embedded")
class InferenceRetryIT {

    static final Path DATA = EmbeddedEmulators.newDataDir();
    static final Path MARKERS = DATA.resolve("markers");
    static final Duration PATIENCE = Duration.ofSeconds(120);

    @Autowired
    S3Client s3;
    @Autowired
    JobStore jobs;
    @Autowired
    AwsResources resources;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        EmbeddedEmulators.register(registry, DATA);
        registry.add("reelroute.inference.exec.command", () -> "/bin/sh " + model() + " {input} {output} {mode} " + MARKERS + " {ffmpeg}");
    }

    /**
     * Fails the first run of each segment (its work folder's name without the random suffix), and all anaglyph runs;
     * makes a black picture for a job with a black-{job} marker; otherwise makes a side-by-side frame.
     */
    static Path model() {
        try {
            Files.createDirectories(MARKERS);
            Path script = DATA.resolve("flaky-model.sh");
            Files.writeString(script, """
                    in="$1"; out="$2"; mode="$3"; markers="$4"; ffmpeg="$5"
                    if [ "$mode" = anaglyph ]; then echo "model out of memory" >&2; exit 1; fi
                    run=$(basename "$(dirname "$in")"); segment=${run%-*}
                    job=$(echo "$segment" | sed 's/^inference-//; s/-[0-9]*$//')
                    if [ -e "$markers/black-$job" ]; then
                      "$ffmpeg" -nostdin -loglevel error -y -i "$in" -filter_complex \\
                        "[0:v]split[l][r];[l][r]hstack,drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill[v]" \\
                        -map "[v]" -c:v libx264 -preset veryfast -pix_fmt yuv420p "$out"
                      exit 0
                    fi
                    if [ ! -e "$markers/$segment" ]; then : > "$markers/$segment"; echo "transient CUDA error" >&2; exit 3; fi
                    # Full side-by-side, the right view 8 pixels over: what the check of a model's output expects.
                    "$ffmpeg" -nostdin -loglevel error -y -i "$in" \\
                      -filter_complex "[0:v]split[l][r];[r]crop=iw-8:ih:8:0,pad=iw+8:ih[rs];[l][rs]hstack[v]" \\
                      -map "[v]" -map "0:a?" -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a copy "$out"
                    """);
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aBackendThatFailsOnceIsRetriedAndTheJobCompletes(@TempDir Path tmp) throws IOException {
        Path source = TestVideos.clip(12, 320, 240, true);
        String jobId = JobIds.newId();

        upload(jobId, source);

        Job job = await().atMost(PATIENCE).until(() -> jobs.find(jobId).orElse(null),
                j -> j != null && j.status().isTerminal());
        assertThat(job.status()).as("%s: %s", job.failurePhase(), job.failureReason()).isEqualTo(JobStatus.COMPLETED);
        try (var markers = Files.list(MARKERS)) {
            assertThat(markers.filter(p -> p.getFileName().toString().contains(jobId))).as("one failed first run per segment").hasSize(3);
        }
        Path result = tmp.resolve("final.mp4");
        s3.getObject(r -> r.bucket(resources.names().outputBucket()).key(OutputKeys.finalVideo(jobId)), result);
        assertThat(TestVideos.durationSeconds(result)).isCloseTo(TestVideos.durationSeconds(source), within(0.5));
    }

    @Test
    void aBackendThatAlwaysFailsEndsTheJobFailedWithThePhaseAndSegment() {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.ANAGLYPH);

        upload(jobId, TestVideos.clip(8, 320, 240, true));

        Job job = await().atMost(PATIENCE).until(() -> jobs.find(jobId).orElse(null),
                j -> j != null && j.status() == JobStatus.FAILED);
        assertThat(job.failurePhase()).isEqualTo(FailurePhase.INFERENCE);
        assertThat(job.failureReason()).matches("segment [01]: sh exited with 1: model out of memory");
        assertThat(s3.listObjectsV2(r -> r.bucket(resources.names().outputBucket()).prefix("jobs/" + jobId + "/")).contents())
                .isEmpty();
    }

    /** A model that exits 0 but writes a black picture: its output is checked, retried, then the job fails. */
    @Test
    void aModelOutputThatFailsTheCheckIsRetriedThenFailsTheJobNamingTheSegmentAndWhy() throws IOException {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, Mode.SBS);
        Files.createFile(MARKERS.resolve("black-" + jobId));

        upload(jobId, TestVideos.clip(8, 320, 240, true));

        Job job = await().atMost(PATIENCE).until(() -> jobs.find(jobId).orElse(null),
                j -> j != null && j.status() == JobStatus.FAILED);
        assertThat(job.failurePhase()).isEqualTo(FailurePhase.INFERENCE);
        assertThat(job.failureReason()).matches("segment [01]: the model's output is black from start to end");
    }

    private void upload(String jobId, Path video) {
        s3.putObject(r -> r.bucket(resources.names().inputBucket()).key(new SourceKey(jobId).key()), RequestBody.fromFile(video));
    }
}
