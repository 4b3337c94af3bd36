package io.reelroute.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.PermanentJobFailure;
import io.reelroute.testing.TestVideos;

/** The probe, split and join steps with the bundled ffmpeg: what they write, and the reasons a failed run gives. */
class MediaStepsTest {

    static final MediaTools TOOLS = MediaTools.bundled();
    static final ObjectMapper MAPPER = new ObjectMapper();

    final MediaSteps steps = steps(Duration.ofMinutes(2));

    static MediaSteps steps(Duration timeout) {
        return new MediaSteps(new FileProbe(TOOLS, Duration.ofMinutes(1), MAPPER), TOOLS, timeout, timeout);
    }

    @Test
    void aVideoIsProbedSplitAndJoinedBackToItsDuration(@TempDir Path dir) throws Exception {
        Path source = Files.copy(TestVideos.clip(12, 320, 240, true), dir.resolve("source.mp4"));

        VideoProbe probe = steps.probe(source);
        assertThat(probe.durationSeconds()).isCloseTo(12, within(0.2));
        assertThat(probe.hasAudio()).isTrue();

        MediaSteps.Segments split = steps.split(source, dir.resolve("segments"), 4);
        assertThat(split.files()).extracting(f -> f.getFileName().toString())
                .containsExactly("00000.mp4", "00001.mp4", "00002.mp4");
        assertThat(split.mediaEndSeconds()).hasValueCloseTo(12.0, within(0.2));

        Path joined = steps.join(split.files(), dir.resolve("joined.mp4"));
        assertThat(joined).isEqualTo(dir.resolve("joined.mp4"));
        assertThat(TestVideos.durationSeconds(joined)).isCloseTo(12, within(0.2));
        assertThat(TestVideos.streamTypes(joined)).containsExactly("video", "audio");
    }

    @Test
    void aSourceFfprobeCannotReadFailsInPhaseProbeWithoutTheWorkFolderInTheReason(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("source.mp4");
        Files.writeString(source, "this is a text file, not a video\n".repeat(50), StandardCharsets.UTF_8);

        assertThatThrownBy(() -> steps.probe(source))
                .isInstanceOfSatisfying(UnprocessableSourceException.class, e -> {
                    assertThat(e.phase()).isEqualTo(FailurePhase.PROBE);
                    assertThat(e.getMessage()).startsWith("the source is not a decodable video: ")
                            .contains("source: Invalid data found when processing input")
                            .doesNotContain(dir.toString()).doesNotContain("{");
                });
    }

    @Test
    void aSplitFfmpegFailsFailsInPhaseChunkingWithTheEndOfItsOutput(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("source.mp4");
        Files.writeString(source, "not a video", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> steps.split(source, dir.resolve("segments"), 4))
                .isInstanceOfSatisfying(MediaCommandException.class, e -> {
                    assertThat(e.phase()).isEqualTo(FailurePhase.CHUNKING);
                    assertThat(e.getMessage()).startsWith("ffmpeg exited with code ").contains("Invalid data found");
                });
    }

    @Test
    void aRunPastItsTimeoutIsStoppedAndSaysSo(@TempDir Path dir) throws Exception {
        Path source = Files.copy(TestVideos.clip(4, 320, 240, true), dir.resolve("source.mp4"));

        assertThatThrownBy(() -> steps(Duration.ofMillis(1)).split(source, dir.resolve("segments"), 1))
                .isInstanceOfSatisfying(MediaCommandException.class, e -> {
                    assertThat(e.phase()).isEqualTo(FailurePhase.CHUNKING);
                    assertThat(e.getMessage()).startsWith("ffmpeg stopped after the timeout of 0 s");
                });
    }

    @Test
    void aJoinFfmpegFailsFailsInPhaseReassembly(@TempDir Path dir) throws Exception {
        Path notAVideo = Files.writeString(dir.resolve("00000.mp4"), "not a video", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> steps.join(List.of(notAVideo), dir.resolve("final.mp4")))
                .isInstanceOfSatisfying(PermanentJobFailure.class, e -> {
                    assertThat(e).isInstanceOf(MediaCommandException.class);
                    assertThat(e.phase()).isEqualTo(FailurePhase.REASSEMBLY);
                    assertThat(e.getMessage()).startsWith("ffmpeg exited with code ");
                });
    }
}
