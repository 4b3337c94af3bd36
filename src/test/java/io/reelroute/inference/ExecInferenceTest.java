package io.reelroute.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.contract.SegmentKey;
import io.reelroute.media.MediaTools;
import io.reelroute.testing.TestVideos;

/** The exec backend: the ffmpeg stereo preview on real segments, command templates, failures and timeouts. */
class ExecInferenceTest {

    private static final MediaTools TOOLS = MediaTools.bundled();

    @TempDir
    Path dir;

    @Test
    void thePreviewWritesFullSideBySideAtTwiceTheWidthWithTheSourceAudio() throws IOException {
        SegmentWork work = work(Mode.SBS, Duration.ofMinutes(2));
        Files.copy(TestVideos.clip(4, 320, 240, true), work.inputFile());

        backend(Map.of()).infer(work);

        assertThat(TestVideos.videoSize(work.outputFile())).containsExactly(640, 240);
        assertThat(TestVideos.streamTypes(work.outputFile())).containsExactly("video", "audio");
        assertThat(TestVideos.durationSeconds(work.outputFile())).isCloseTo(4.0, within(0.1));
        assertThat(pixelFormatAndCodec(work.outputFile())).isEqualTo("h264,yuv420p");
    }

    @Test
    void thePreviewWritesRedCyanAnaglyphAtTheSourceWidth() throws IOException {
        SegmentWork work = work(Mode.ANAGLYPH, Duration.ofMinutes(2));
        Files.copy(TestVideos.clip(4, 320, 240, true), work.inputFile());

        backend(Map.of()).infer(work);

        assertThat(TestVideos.videoSize(work.outputFile())).containsExactly(320, 240);
        assertThat(TestVideos.streamTypes(work.outputFile())).containsExactly("video", "audio");
    }

    @Test
    void aTemplateFillsItsPlaceholdersInEachArgumentAndKeepsQuotedSpaces() {
        ExecInference exec = backend(Map.of("reelroute.inference.exec.command",
                "python3 -m iw3 -i {input} -o {output} --title \"a b\" --{mode}",
                "reelroute.inference.exec.command-by-mode.anaglyph", "model --anaglyph {input} {output}"));

        assertThat(exec.command(Path.of("/w/in.mp4"), Path.of("/w/out.mp4"), Mode.SBS))
                .containsExactly("python3", "-m", "iw3", "-i", "/w/in.mp4", "-o", "/w/out.mp4", "--title", "a b", "--sbs");
        assertThat(exec.command(Path.of("/w/in.mp4"), Path.of("/w/out.mp4"), Mode.ANAGLYPH))
                .containsExactly("model", "--anaglyph", "/w/in.mp4", "/w/out.mp4");
        assertThatThrownBy(() -> ExecInference.tokens("model \"unclosed")).hasMessageContaining("unbalanced");
    }

    @Test
    void aFailingCommandIsAnInferenceFailureNamingTheSegmentTheExitAndTheOutputTail() throws IOException {
        Path script = script("echo 'CUDA out of memory' >&2; exit 3");
        SegmentWork work = work(Mode.SBS, Duration.ofMinutes(1));
        Files.writeString(work.inputFile(), "x");

        assertThatThrownBy(() -> backend(Map.of("reelroute.inference.exec.command", "/bin/sh " + script + " {input}")).infer(work))
                .isInstanceOf(InferenceFailure.class)
                .hasMessage("segment 1 of 3: sh exited with 3: CUDA out of memory");
    }

    @Test
    void aCommandThatExitsCleanlyWithoutOutputIsAFailure() throws IOException {
        SegmentWork work = work(Mode.SBS, Duration.ofMinutes(1));
        Files.writeString(work.inputFile(), "x");

        assertThatThrownBy(() -> backend(Map.of("reelroute.inference.exec.command", "true {input}")).infer(work))
                .isInstanceOf(InferenceFailure.class)
                .hasMessageContaining("wrote no output file");
    }

    @Test
    void aCommandPastTheTimeoutIsStoppedWithItsChildren() throws IOException {
        Path pidFile = dir.resolve("child.pid");
        Path script = script("sleep 60 & echo $! > " + pidFile + "; wait");
        SegmentWork work = work(Mode.SBS, Duration.ofSeconds(1));
        Files.writeString(work.inputFile(), "x");
        long started = System.nanoTime();

        assertThatThrownBy(() -> backend(Map.of("reelroute.inference.exec.command", "/bin/sh " + script)).infer(work))
                .isInstanceOf(InferenceFailure.class)
                .hasMessageContaining("segment 1 of 3: sh stopped after the timeout of 1 s");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        long child = Long.parseLong(Files.readString(pidFile).strip());
        await().atMost(Duration.ofSeconds(10)).until(() -> !running(child));
    }

    /** Running: it exists and is not a zombie waiting to be reaped (a killed orphan may stay one in a container). */
    private static boolean running(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) {
            return false;
        }
        String text = Files.readString(stat);
        return text.charAt(text.lastIndexOf(')') + 2) != 'Z';
    }

    private SegmentWork work(Mode mode, Duration timeout) throws IOException {
        String jobId = JobIds.newId();
        Path workDir = Files.createDirectories(dir.resolve("work"));
        return new SegmentWork(new SegmentKey(jobId, 1, 3, mode), "reelroute-input", "reelroute-output",
                "jobs/" + jobId + "/segments/1.mp4", workDir, timeout);
    }

    private Path script(String body) throws IOException {
        Path script = dir.resolve("model.sh");
        Files.writeString(script, body + "\n");
        return script;
    }

    private static ExecInference backend(Map<String, String> settings) {
        return new ExecInference(TOOLS, InferenceSettings.with(settings));
    }

    private static String pixelFormatAndCodec(Path video) throws IOException {
        Process probe = new ProcessBuilder(List.of(TOOLS.ffprobe(), "-v", "error", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,pix_fmt", "-of", "csv=p=0", video.toString())).start();
        return new String(probe.getInputStream().readAllBytes()).strip();
    }
}
