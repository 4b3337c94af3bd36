package io.reelroute.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;

import io.reelroute.media.MediaTools;
import io.reelroute.testing.TestVideos;

/**
 * P2: a large source (2 GB unless {@code -Dbench.source-mb} says otherwise) through the whole embedded pipeline,
 * upload to {@code completed} and then to HLS ready, in a JVM of its own with a 256 MiB heap
 * ({@code -Dbench.xmx}): it must complete, and the peak heap is printed. Not part of {@code ./mvnw verify}; run:
 * <pre>./mvnw test -Dtest=LargeSourceBenchmark -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.source-mb=300]</pre>
 * The source is a 10 s 1080p H.264 clip at about 115 Mbit/s (film grain, which is what makes camera footage
 * large) with 48 kHz AAC stereo, looped by stream copy ({@code -stream_loop}, {@code -c copy}) to the size, so
 * only 10 s are encoded. The source and the application's state are deleted afterwards.
 */
class LargeSourceBenchmark {

    private static final long SOURCE_BYTES = Long.getLong("bench.source-mb", 2048) << 20;
    private static final String HEAP = System.getProperty("bench.xmx", "256m");
    private static final MediaTools TOOLS = MediaTools.bundled();

    @Test
    void largeSourceInASmallHeap() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "bench-large-").toAbsolutePath();
        try {
            Path source = source(dir);
            Path results = dir.resolve("results.txt");
            Path log = dir.resolve("application.log");
            Path argFile = dir.resolve("java-args.txt");
            // An argument file: the test class path is longer than one command-line argument may be.
            Files.writeString(argFile, "-cp\n\"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + HEAP, "-XX:+ExitOnOutOfMemoryError", "@" + argFile, LargeSourceBenchmark.class.getName(),
                    source.toString(), results.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean ended = process.waitFor(2, TimeUnit.HOURS);
            if (!ended) {
                process.destroyForcibly();
            }
            List<String> lines = Files.readAllLines(log);
            assertThat(ended && process.exitValue() == 0).as("the %s JVM's run; its log ends:\n%s", HEAP,
                    String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()))).isTrue();
            System.out.println();
            System.out.println("=== Large source through the embedded pipeline, -Xmx" + HEAP + " ("
                    + Runtime.getRuntime().availableProcessors() + " cores) ===");
            System.out.println("source: " + String.format("%.2f GB, %.0f s", Files.size(source) / 1e9,
                    TestVideos.durationSeconds(source)) + ", 1920x1080 H.264 + AAC");
            Files.readAllLines(results).forEach(System.out::println);
            System.out.println();
        } finally {
            FileSystemUtils.deleteRecursively(dir);
        }
    }

    /** In the JVM with the small heap: the application, one job of {@code args[0]}, the numbers into {@code args[1]}. */
    public static void main(String[] args) throws Exception {
        Path source = Path.of(args[0]);
        List<String> results = new ArrayList<>();
        Path data;
        try (ConfigurableApplicationContext app = BenchApplication.start()) {
            data = Path.of(app.getEnvironment().getProperty("reelroute.embedded.data-dir"));
            HeapPeak.reset();
            long started = System.nanoTime();
            String jobId = BenchJobs.upload(app, source);
            long uploaded = System.nanoTime();
            BenchJobs.awaitCompleted(app, jobId);
            long completed = System.nanoTime();
            BenchJobs.awaitHlsReady(app, jobId);
            long ready = System.nanoTime();
            results.add(String.format("upload into S3: %.1f s", (uploaded - started) / 1e9));
            results.add(String.format("upload to completed: %.1f s", (completed - started) / 1e9));
            results.add(String.format("upload to HLS ready: %.1f s", (ready - started) / 1e9));
            results.add(String.format("peak heap: %d MiB of %d MiB at one time, garbage included; at most %d MiB right after a collection",
                    HeapPeak.bytes() >> 20, Runtime.getRuntime().maxMemory() >> 20, HeapPeak.afterCollectionBytes() >> 20));
        }
        Files.write(Path.of(args[1]), results);
        FileSystemUtils.deleteRecursively(data);
        // Camel's and the emulators' non-daemon threads may outlive the context.
        System.exit(0);
    }

    /** A 10 s clip looped by stream copy to at least {@link #SOURCE_BYTES}. */
    private static Path source(Path dir) throws IOException {
        Path clip = dir.resolve("clip.mp4");
        ffmpeg(dir, "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25:duration=10,noise=alls=6:allf=t",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=10",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p",
                "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
                "-c:a", "aac", "-b:a", "192k", "-ac", "2", "-shortest", clip.toString());
        long loops = Math.max(0, (SOURCE_BYTES + Files.size(clip) - 1) / Files.size(clip) - 1);
        Path source = dir.resolve("source.mp4");
        ffmpeg(dir, "-stream_loop", Long.toString(loops), "-i", clip.toString(), "-c", "copy", source.toString());
        Files.delete(clip);
        return source;
    }

    private static void ffmpeg(Path dir, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("-nostdin", "-loglevel", "error", "-y"));
        all.addAll(List.of(args));
        DirectWork.run(TOOLS.ffmpeg(), all, dir.resolve("ffmpeg.log"));
    }
}
