package io.reelroute.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.JobIds;
import io.reelroute.contract.SegmentKey;
import io.reelroute.contract.StereoParams;
import io.reelroute.media.FileProbe;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.testing.TestParams;
import io.reelroute.testing.TestVideos;

/**
 * The check of a model's output on real ffmpeg output: the CPU preview passes; black, frozen, identical views, a
 * short output, the wrong frame and something that is not a video are each caught and named.
 */
class SegmentCheckTest {

    private static final MediaTools TOOLS = MediaTools.bundled();
    private static final SegmentCheck CHECK = new SegmentCheck(TOOLS, new ObjectMapper(), Duration.ofMinutes(1));

    @TempDir
    Path dir;

    @Test
    void thePreviewOfEveryFormatPasses() throws IOException {
        for (String format : List.of("full-sbs", "half-tb", "cross-eyed", "anaglyph")) {
            SegmentWork work = work("{\"format\": \"" + format + "\"}");
            new ExecInference(TOOLS, new FileProbe(TOOLS, Duration.ofMinutes(1), new ObjectMapper()),
                    InferenceSettings.with(Map.of())).infer(work);

            assertThatCode(() -> CHECK.check(work)).as(format).doesNotThrowAnyException();
        }
    }

    @Test
    void aBlackOutputIsCaught() throws IOException {
        SegmentWork work = work("{}");
        make(work.outputFile(), "color=c=black:size=640x240:rate=25:duration=4");

        assertThatThrownBy(() -> CHECK.check(work)).isInstanceOf(InferenceFailure.class)
                .hasMessage("segment 1: the model's output is black from start to end");
    }

    @Test
    void aFrozenOutputIsCaught() throws IOException {
        SegmentWork work = work("{}");
        make(work.outputFile(), "smptebars=size=640x240:rate=25:duration=4");

        assertThatThrownBy(() -> CHECK.check(work)).isInstanceOf(InferenceFailure.class)
                .hasMessage("segment 1: the model's output is frozen from start to end");
    }

    @Test
    void twoIdenticalViewsAreCaughtUnlessTheStrengthIsZero() throws IOException {
        SegmentWork work = work("{}");
        ffmpeg("-i", work.inputFile().toString(), "-filter_complex", "[0:v]split[a][b];[a][b]hstack",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", work.outputFile().toString());

        assertThatThrownBy(() -> CHECK.check(work)).isInstanceOf(InferenceFailure.class)
                .hasMessage("segment 1: the model's output has two identical views (no depth) at strength 2.0");

        SegmentWork flat = work("{\"divergence\": 0}");
        Files.copy(work.outputFile(), flat.outputFile());
        assertThatCode(() -> CHECK.check(flat)).doesNotThrowAnyException();
    }

    @Test
    void aShortOutputIsCaught() throws IOException {
        SegmentWork work = work("{}");
        ffmpeg("-i", work.inputFile().toString(), "-t", "2", "-filter_complex",
                "[0:v]split[a][b];[b]crop=iw-8:ih:8:0,pad=iw+8:ih[c];[a][c]hstack",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", work.outputFile().toString());

        assertThatThrownBy(() -> CHECK.check(work)).isInstanceOf(InferenceFailure.class)
                .hasMessageStartingWith("segment 1: the model's output has 50 frames, expected about 100");
    }

    @Test
    void aFrameTheFormatDoesNotMakeIsCaught() throws IOException {
        SegmentWork work = work("{\"format\": \"full-tb\"}");
        Files.copy(work.inputFile(), work.outputFile());

        assertThatThrownBy(() -> CHECK.check(work)).isInstanceOf(InferenceFailure.class)
                .hasMessage("segment 1: the model's output is 320x240, expected 320x480 (full-tb of a 320x240 segment)");
    }

    @Test
    void somethingThatIsNotAVideoIsCaught() throws IOException {
        SegmentWork work = work("{}");
        Files.writeString(work.outputFile(), "{\"error\": \"CUDA out of memory\"}");

        assertThatThrownBy(() -> CHECK.check(work)).isInstanceOf(InferenceFailure.class)
                .hasMessage("segment 1: the model's output is not a readable video");
    }

    @Test
    void aFasterSourceConvertedDownToMaxFpsPasses() throws IOException {
        SegmentWork work = work("{\"max_fps\": 10}");
        new ExecInference(TOOLS, new FileProbe(TOOLS, Duration.ofMinutes(1), new ObjectMapper()),
                InferenceSettings.with(Map.of())).infer(work);

        assertThat(TestVideos.frameRate(work.outputFile())).isEqualTo(10.0);
        assertThatCode(() -> CHECK.check(work)).doesNotThrowAnyException();
    }

    /** Segment 1 of 3 of a new job with these params; its input a moving 4 s 320x240 clip at 25 fps. */
    private SegmentWork work(String params) throws IOException {
        StereoParams stereo = TestParams.stereo(params);
        String jobId = JobIds.newId();
        Path workDir = Files.createDirectories(dir.resolve(jobId));
        SegmentWork work = new SegmentWork(new SegmentKey(jobId, 1, stereo.format().mode()), stereo, "reelroute-input",
                "reelroute-output", "jobs/" + jobId + "/segments/1.mp4", workDir, Duration.ofMinutes(2));
        Files.copy(TestVideos.clip(4, 320, 240, true), work.inputFile());
        return work;
    }

    private void make(Path output, String lavfi) throws IOException {
        ffmpeg("-f", "lavfi", "-i", lavfi, "-c:v", "libx264", "-pix_fmt", "yuv420p", output.toString());
    }

    private void ffmpeg(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("-nostdin", "-loglevel", "error", "-y"));
        command.addAll(List.of(args));
        ProcessRunner.Result result = ProcessRunner.run(TOOLS.ffmpeg(), command, Duration.ofMinutes(1), dir.resolve("ffmpeg.log"));
        assertThat(result.succeeded()).as(result.tail()).isTrue();
    }
}
