package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import io.reelroute.testing.EmbeddedEmulators;
import io.reelroute.contract.HlsStatus;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.SourceKey;
import io.reelroute.testing.TestVideos;

/** The whole pipeline on the embedded default: ElasticMQ, DynamoDB Local and S3Mock in this JVM. */
// The run mode is chosen before dynamic properties are added, so it is set here.
@TestPropertySource(properties = "reelroute.mode=embedded")
class EmbeddedPipelineTest extends PipelineScenarios {

    static final Path DATA = EmbeddedEmulators.newDataDir();

    @DynamicPropertySource
    static void embedded(DynamicPropertyRegistry registry) {
        EmbeddedEmulators.register(registry, DATA);
    }

    @Test
    void aCompletedJobAndItsHlsPackageAreCopiedToTheOutbox() throws Exception {
        String jobId = JobIds.newId();
        upload(new SourceKey(jobId).key(), TestVideos.clip(8, 320, 240, true));

        awaitStatus(jobId, JobStatus.COMPLETED);
        Path copy = DATA.resolve("outbox").resolve(jobId).resolve("final.mp4");
        await().atMost(PATIENCE).until(() -> Files.exists(copy) && Files.size(copy) > 0);
        assertThat(TestVideos.videoSize(copy)).containsExactly(640, 240);

        awaitHls(jobId, HlsStatus.READY);
        Path master = DATA.resolve("outbox").resolve(jobId).resolve("hls").resolve("master.m3u8");
        await().atMost(PATIENCE).until(() -> Files.exists(master));
        // The copy plays from disk: ffprobe reads the master playlist and the rendition it picks.
        assertThat(TestVideos.durationSeconds(master)).isCloseTo(TestVideos.durationSeconds(copy), within(1.0));
    }
}
