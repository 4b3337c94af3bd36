package io.reelroute.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

        Path joined = steps.join(split.files(), dir.resolve("joined.mp4"), null);
        assertThat(joined).isEqualTo(dir.resolve("joined.mp4"));
        assertThat(TestVideos.durationSeconds(joined)).isCloseTo(12, within(0.2));
        assertThat(TestVideos.streamTypes(joined)).containsExactly("video", "audio");
    }

    /**
     * Each 2 s part's AAC audio runs a few milliseconds past its picture (whole 1024-sample frames); joined without
     * the parts' picture durations, 150 of them came out about 0.6 s longer than the source (2003.9 s from 1,000),
     * the picture drifting from the source's audio at every seam.
     */
    @Test
    void manyShortPartsJoinToTheSourcesDurationWithoutDrift(@TempDir Path dir) throws Exception {
        Path source = Files.copy(TestVideos.clip(300, 160, 120, true), dir.resolve("source.mp4"));
        MediaSteps.Segments split = steps.split(source, dir.resolve("segments"), 2);
        assertThat(split.files()).hasSize(150);
        List<MediaSteps.Part> parts = new ArrayList<>();
        for (Path part : split.files()) {
            parts.add(new MediaSteps.Part(part, steps.probe(part).durationSeconds()));
        }

        Path joined = steps.join(parts, dir.resolve("joined.mp4"), null, 0, null);

        assertThat(steps.probe(joined).durationSeconds()).as("the joined picture").isCloseTo(300, within(0.1));
    }

    @Test
    void cutsMoveToTheNearestSceneChangeWithinHalfASegment() {
        assertThat(MediaSteps.snappedCuts(10, 35, List.of(3.0, 8.5, 12.0, 26.0, 34.5)))
                .as("8.5 is nearest to 10, 12.0 too early for 20 (more than 5 s off), 26 nearest to 30; 34.5 is too close to the end")
                .containsExactly(8.5, 20.0, 26.0);
        assertThat(MediaSteps.snappedCuts(10, 35, List.of())).containsExactly(10.0, 20.0, 30.0);
    }

    /**
     * A source of three shots (test patterns, 3.4 s, 3.0 s, 3.6 s; keyframes where the encoder saw the shots
     * change): cut at the shot changes, not every 4 s. The split's times are the packets', a B-frame's delay late.
     */
    @Test
    void aSplitSnappedToScenesCutsBetweenShots(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("shots.mp4");
        ProcessRunner.Result made = ProcessRunner.run(TOOLS.ffmpeg(), List.of("-nostdin", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3.4",
                "-f", "lavfi", "-i", "smptehdbars=size=320x240:rate=25:duration=3.0",
                "-f", "lavfi", "-i", "mandelbrot=size=320x240:rate=25,trim=duration=3.6",
                "-filter_complex", "[0:v][1:v][2:v]concat=n=3:v=1:a=0[v]", "-map", "[v]",
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", source.toString()),
                Duration.ofMinutes(1), dir.resolve("make.log"));
        assertThat(made.succeeded()).as(made.tail()).isTrue();

        MediaSteps.Segments split = steps.split(source, dir.resolve("segments"), 4, true, steps.probe(source));

        assertThat(split.files()).hasSize(3);
        assertThat(TestVideos.durationSeconds(split.files().get(0))).isCloseTo(3.4, within(0.1));
        assertThat(TestVideos.durationSeconds(split.files().get(1))).isCloseTo(3.0, within(0.1));
    }

    /**
     * Overlap for a temporal model: every segment but the first starts with a lead-in from the one before, and the
     * join cuts it off again, so the joined video has exactly the source's frames and duration.
     */
    @Test
    void leadInsAddedAtTheSplitAreCutOffAtTheJoinFrameExactly(@TempDir Path dir) throws Exception {
        Path source = Files.copy(TestVideos.clip(12, 320, 240, true), dir.resolve("source.mp4"));
        VideoProbe probe = steps.probe(source);
        assertThat(probe.frameRate()).isEqualTo(25.0);
        MediaSteps.Segments split = steps.split(source, dir.resolve("segments"), 4);

        steps.addLeadIns(source, split, 1.0, probe);

        assertThat(TestVideos.frameCount(split.files().get(0))).isEqualTo(100);
        assertThat(TestVideos.frameCount(split.files().get(1))).as("25 lead-in frames, then the segment's 100").isEqualTo(125);
        assertThat(TestVideos.frameCount(split.files().get(2))).isEqualTo(125);
        Path joined = steps.join(MediaSteps.Part.of(split.files()), dir.resolve("joined.mp4"), new MediaCommands.Encoding("h264", 20, 0), 1.0, null);
        assertThat(TestVideos.frameCount(joined)).isEqualTo(TestVideos.frameCount(source)).isEqualTo(300);
        // The container's duration is the audio's too, joined from three segments: each seam may add part of an AAC
        // frame (21 ms at 48 kHz) of padding, so a few hundredths over the picture's 12 s is the audio, not a frame.
        assertThat(TestVideos.durationSeconds(joined)).isCloseTo(12.0, within(0.1));
        assertThat(TestVideos.streamTypes(joined)).containsExactly("video", "audio");
    }

    /**
     * A model that writes 4:4:4 or 10-bit (as iw3 may) or a lossless codec: segments a browser would not play. The
     * join re-encodes them to 8-bit 4:2:0 with the job's encoder and stereo signalling, keeping duration and audio.
     */
    @ParameterizedTest
    @CsvSource({
        "-c:v libx264 -pix_fmt yuv444p, h264, yuv444p",
        "-c:v libx264 -pix_fmt yuv420p10le, h264, yuv420p10le",
        "-c:v libx265 -pix_fmt yuv420p10le -x265-params log-level=error, hevc, yuv420p10le",
        "-c:v ffv1, ffv1, yuv420p",
    })
    void segmentsABrowserWouldRefuseAreReencodedAtTheJoin(String encoding, String codec, String pixelFormat, @TempDir Path dir)
            throws Exception {
        List<Path> parts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path part = dir.resolve("part" + i + ".mkv");
            List<String> args = new ArrayList<>(List.of("-nostdin", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
                    "-f", "lavfi", "-i", "sine=frequency=440:duration=2"));
            args.addAll(List.of(encoding.split(" ")));
            args.addAll(List.of("-c:a", "aac", "-shortest", part.toString()));
            assertThat(ProcessRunner.run(TOOLS.ffmpeg(), args, Duration.ofMinutes(1), dir.resolve("make.log")).succeeded()).isTrue();
            VideoProbe probe = steps.probe(part);
            assertThat(probe.videoCodec()).isEqualTo(codec);
            assertThat(probe.pixelFormat()).isEqualTo(pixelFormat);
            assertThat(probe.browserPlayable()).isFalse();
            parts.add(part);
        }

        Path joined = steps.join(parts, dir.resolve("final.mp4"), new MediaCommands.Encoding("h264", 20, 3));

        VideoProbe result = steps.probe(joined);
        assertThat(result.browserPlayable()).isTrue();
        assertThat(result.pixelFormat()).isEqualTo("yuv420p");
        assertThat(result.durationSeconds()).isCloseTo(4, within(0.2));
        assertThat(TestVideos.streamTypes(joined)).containsExactly("video", "audio");
        assertThat(TestVideos.stereoMode(joined)).isEqualTo("left_right");
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
                    assertThat(e.getMessage()).isEqualTo("the source is damaged: ffmpeg could not read its data; export or copy the file again and upload it");
                    assertThat(e.detail()).startsWith("ffmpeg: ").contains("Invalid data found").doesNotContain(dir.toString());
                });
    }

    @Test
    void aRunPastItsTimeoutIsStoppedAndSaysSo(@TempDir Path dir) throws Exception {
        Path source = Files.copy(TestVideos.clip(4, 320, 240, true), dir.resolve("source.mp4"));

        assertThatThrownBy(() -> steps(Duration.ofMillis(1)).split(source, dir.resolve("segments"), 1))
                .isInstanceOfSatisfying(MediaCommandException.class, e -> {
                    assertThat(e.phase()).isEqualTo(FailurePhase.CHUNKING);
                    assertThat(e.getMessage()).startsWith("ffmpeg did not finish with the source within 0 s");
                });
    }

    @Test
    void aJoinFfmpegFailsFailsInPhaseReassembly(@TempDir Path dir) throws Exception {
        Path notAVideo = Files.writeString(dir.resolve("00000.mp4"), "not a video", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> steps.join(List.of(notAVideo), dir.resolve("final.mp4"), null))
                .isInstanceOfSatisfying(PermanentJobFailure.class, e -> {
                    assertThat(e).isInstanceOf(MediaCommandException.class);
                    assertThat(e.phase()).isEqualTo(FailurePhase.REASSEMBLY);
                    assertThat(e.getMessage()).isEqualTo("a segment's output is damaged: ffmpeg could not read its data");
                    assertThat(e.detail()).contains("Invalid data found");
                });
    }
}
