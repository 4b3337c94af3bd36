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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.contract.JobIds;
import io.reelroute.contract.SegmentKey;
import io.reelroute.contract.StereoParams;
import io.reelroute.media.FileProbe;
import io.reelroute.media.MediaTools;
import io.reelroute.testing.TestParams;
import io.reelroute.testing.TestVideos;

/** The exec backend: the ffmpeg stereo preview of every format on real segments, command templates, failures and timeouts. */
class ExecInferenceTest {

    private static final MediaTools TOOLS = MediaTools.bundled();

    @TempDir
    Path dir;

    /** Every format's frame, and the frame-packing SEI players read where the format has one. */
    @ParameterizedTest
    @CsvSource({
        "full-sbs, 640, 240, left_right",
        "half-sbs, 320, 240, left_right",
        "full-tb, 320, 480, top_bottom",
        "half-tb, 320, 240, top_bottom",
        "cross-eyed, 640, 240, ''",
        "anaglyph, 320, 240, ''",
    })
    void thePreviewPacksTheViewsAsTheFormatSaysWithTheSourceAudio(String format, int width, int height, String stereoMode)
            throws IOException {
        SegmentWork work = work(params("{\"format\": \"" + format + "\"}"), Duration.ofMinutes(2));
        Files.copy(TestVideos.clip(4, 320, 240, true), work.inputFile());

        backend(Map.of()).infer(work);

        assertThat(TestVideos.videoSize(work.outputFile())).containsExactly(width, height);
        assertThat(TestVideos.streamTypes(work.outputFile())).containsExactly("video", "audio");
        assertThat(TestVideos.durationSeconds(work.outputFile())).isCloseTo(4.0, within(0.1));
        assertThat(pixelFormatAndCodec(work.outputFile())).isEqualTo("h264,yuv420p");
        assertThat(TestVideos.stereoMode(work.outputFile())).isEqualTo(stereoMode);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dubois", "color", "gray", "half-color", "wimmer"})
    void everyAnaglyphMethodMakesAnAnaglyphAtTheSourceSize(String method) throws IOException {
        SegmentWork work = work(params("{\"format\": \"anaglyph\", \"anaglyph_method\": \"" + method + "\"}"),
                Duration.ofMinutes(2));
        Files.copy(TestVideos.clip(2, 320, 240, false), work.inputFile());

        backend(Map.of()).infer(work);

        assertThat(TestVideos.videoSize(work.outputFile())).containsExactly(320, 240);
    }

    /** The views of a full side-by-side preview drift apart as the strength grows, and are one at strength 0. */
    @Test
    void theParallaxGrowsWithTheDivergence() throws IOException {
        Path source = TestVideos.clip(1, 320, 240, false);
        double previous = -1;
        for (double divergence : new double[] {0, 2, 6}) {
            SegmentWork work = work(params("{\"divergence\": " + divergence + "}"), Duration.ofMinutes(2));
            Files.copy(source, work.inputFile());
            backend(Map.of()).infer(work);
            double difference = TestVideos.viewDifference(work.outputFile());
            if (divergence == 0) {
                assertThat(difference).as("identical views at strength 0").isLessThan(1.0);
            } else {
                assertThat(difference).as("divergence %s", divergence).isGreaterThan(previous + 1.0);
            }
            previous = difference;
        }
    }

    @Test
    void hevcAndTheMaxFrameRateAreHonoured() throws IOException {
        SegmentWork work = work(params("{\"encoder\": \"hevc\", \"max_fps\": 10, \"crf\": 30}"), Duration.ofMinutes(2));
        Files.copy(TestVideos.clip(2, 320, 240, true), work.inputFile());

        backend(Map.of()).infer(work);

        assertThat(pixelFormatAndCodec(work.outputFile())).isEqualTo("hevc,yuv420p");
        assertThat(TestVideos.frameRate(work.outputFile())).isEqualTo(10.0);
    }

    @Test
    void aTemplateFillsItsPlaceholdersAndTheParamsOnlyAsWholeArguments() throws IOException {
        ExecInference exec = backend(Map.of("reelroute.inference.exec.command",
                "python3 -m iw3 -i {input} -o {output} --title \"a b\" --{mode} --divergence {divergence}"
                        + " --depth-model {depth_model} --x={format} {params_json}",
                "reelroute.inference.exec.command-by-mode.anaglyph", "model --anaglyph {anaglyph_method} {input} {output}",
                "reelroute.inference.exec.command-by-format.full-tb", "model --tb {input} {output}"));
        SegmentWork sbs = work(params("{\"format\": \"half-sbs\", \"divergence\": 2.5}"), Duration.ofMinutes(1));
        String in = sbs.inputFile().toString();
        String out = sbs.outputFile().toString();

        assertThat(exec.command(sbs)).containsExactly("python3", "-m", "iw3", "-i", in, "-o", out, "--title", "a b",
                "--sbs", "--divergence", "2.5", "--depth-model", "Any_V2_S", "--x={format}",
                "{\"format\":\"half-sbs\",\"anaglyph_method\":\"dubois\",\"divergence\":2.5,\"convergence\":0.5,"
                        + "\"depth_model\":\"Any_V2_S\",\"max_fps\":30,\"encoder\":\"h264\",\"crf\":20}");
        SegmentWork anaglyph = work(params("{\"format\": \"anaglyph\", \"anaglyph_method\": \"gray\"}"), Duration.ofMinutes(1));
        assertThat(exec.command(anaglyph)).containsExactly("model", "--anaglyph", "gray",
                anaglyph.inputFile().toString(), anaglyph.outputFile().toString());
        SegmentWork topBottom = work(params("{\"format\": \"full-tb\"}"), Duration.ofMinutes(1));
        assertThat(exec.command(topBottom)).containsExactly("model", "--tb", topBottom.inputFile().toString(),
                topBottom.outputFile().toString());
        assertThatThrownBy(() -> ExecInference.tokens("model \"unclosed")).hasMessageContaining("unbalanced");
    }

    @Test
    void aFailingCommandIsAnInferenceFailureNamingTheSegmentTheExitAndTheOutputTail() throws IOException {
        Path script = script("echo 'CUDA out of memory' >&2; exit 3");
        SegmentWork work = work(params("{}"), Duration.ofMinutes(1));
        Files.writeString(work.inputFile(), "x");

        assertThatThrownBy(() -> backend(Map.of("reelroute.inference.exec.command", "/bin/sh " + script + " {input}")).infer(work))
                .isInstanceOf(InferenceFailure.class)
                .hasMessage("segment 1: sh exited with 3: CUDA out of memory");
    }

    @Test
    void aCommandThatExitsCleanlyWithoutOutputIsAFailure() throws IOException {
        SegmentWork work = work(params("{}"), Duration.ofMinutes(1));
        Files.writeString(work.inputFile(), "x");

        assertThatThrownBy(() -> backend(Map.of("reelroute.inference.exec.command", "true {input}")).infer(work))
                .isInstanceOf(InferenceFailure.class)
                .hasMessageContaining("wrote no output file");
    }

    @Test
    void aCommandPastTheTimeoutIsStoppedWithItsChildren() throws IOException {
        Path pidFile = dir.resolve("child.pid");
        Path script = script("sleep 60 & echo $! > " + pidFile + "; wait");
        SegmentWork work = work(params("{}"), Duration.ofSeconds(1));
        Files.writeString(work.inputFile(), "x");
        long started = System.nanoTime();

        assertThatThrownBy(() -> backend(Map.of("reelroute.inference.exec.command", "/bin/sh " + script)).infer(work))
                .isInstanceOf(InferenceFailure.class)
                .hasMessageContaining("segment 1: sh stopped after the timeout of 1 s");
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

    private SegmentWork work(StereoParams params, Duration timeout) throws IOException {
        String jobId = JobIds.newId();
        Path workDir = Files.createDirectories(dir.resolve("work-" + jobId));
        return new SegmentWork(new SegmentKey(jobId, 1, params.format().mode()), params, "reelroute-input", "reelroute-output",
                "jobs/" + jobId + "/segments/1.mp4", workDir, timeout);
    }

    private static StereoParams params(String json) {
        return TestParams.stereo(json);
    }

    private Path script(String body) throws IOException {
        Path script = dir.resolve("model.sh");
        Files.writeString(script, body + "\n");
        return script;
    }

    /** The model runs without the process's AWS credentials and secrets, but with the rest of its environment. */
    @Test
    void theModelGetsTheEnvironmentWithoutTheProcessCredentialsAndSecretsButWithWhatItKeeps() throws IOException {
        Map<String, String> parent = new java.util.HashMap<>(System.getenv());
        parent.putAll(Map.of("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY", "secret-key",
                "AWS_SESSION_TOKEN", "session", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials",
                "REELROUTE_WEBHOOKS_SECRET", "hmac", "SPRING_APPLICATION_JSON", "{}", "CUDA_VISIBLE_DEVICES", "0",
                "AWS_REGION", "eu-west-1"));
        SegmentWork work = work(params("{}"), Duration.ofMinutes(1));
        Files.copy(TestVideos.clip(1, 160, 120, false), work.inputFile());
        ExecInference backend = new ExecInference(TOOLS, new FileProbe(TOOLS, Duration.ofMinutes(1), new ObjectMapper()),
                InferenceSettings.with(Map.of("reelroute.inference.exec.command", "sh -c \"env > {output}\"",
                        "reelroute.inference.exec.keep-env", "AWS_REGION")), parent);

        backend.infer(work);

        List<String> seen = Files.readAllLines(work.outputFile());
        assertThat(seen).contains("CUDA_VISIBLE_DEVICES=0", "AWS_REGION=eu-west-1")
                .noneMatch(line -> line.startsWith("AWS_SECRET_ACCESS_KEY=") || line.startsWith("AWS_ACCESS_KEY_ID=")
                        || line.startsWith("AWS_SESSION_TOKEN=") || line.startsWith("AWS_CONTAINER_")
                        || line.startsWith("REELROUTE_") || line.startsWith("SPRING_"));
    }

    private static ExecInference backend(Map<String, String> settings) {
        return new ExecInference(TOOLS, new FileProbe(TOOLS, Duration.ofMinutes(1), new ObjectMapper()),
                InferenceSettings.with(settings));
    }

    private static String pixelFormatAndCodec(Path video) throws IOException {
        Process probe = new ProcessBuilder(List.of(TOOLS.ffprobe(), "-v", "error", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,pix_fmt", "-of", "csv=p=0", video.toString())).start();
        return new String(probe.getInputStream().readAllBytes()).strip();
    }
}
