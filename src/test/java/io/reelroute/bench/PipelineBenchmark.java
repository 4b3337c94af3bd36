package io.reelroute.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.reelroute.testing.TestVideos;

/**
 * Orchestration overhead of the whole embedded pipeline, as numbers. Not part of {@code ./mvnw verify}; run:
 * <pre>./mvnw test -Dtest=PipelineBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * It generates a 60 s 720p video with audio, runs the same ffmpeg work the pipeline does (probe, split, the
 * per-segment stereo preview, concat) back to back directly, then the whole pipeline (upload to
 * {@code completed}) with one and with two inference consumers, each in a fresh application on fresh
 * emulators, and prints the wall times, their ratios to the direct run, and the peak heap of each.
 */
class PipelineBenchmark {

    private static final int SECONDS = Integer.getInteger("bench.seconds", 60);
    private static final int SEGMENT_SECONDS = 10;

    @Test
    void orchestrationOverhead() throws Exception {
        Path source = TestVideos.clip(SECONDS, 1280, 720, true);
        Map<String, String> lines = new LinkedHashMap<>();

        double direct1 = DirectWork.seconds(source, SEGMENT_SECONDS);
        long pipeline1 = 0;
        long heap1 = 0;
        long pipeline2 = 0;
        long heap2 = 0;
        for (int consumers : new int[] {1, 2}) {
            try (ConfigurableApplicationContext app = start(consumers)) {
                HeapPeak.reset();
                long elapsed = runJob(app, source);
                if (consumers == 1) {
                    pipeline1 = elapsed;
                    heap1 = HeapPeak.bytes();
                } else {
                    pipeline2 = elapsed;
                    heap2 = HeapPeak.bytes();
                }
            }
        }
        double direct2 = DirectWork.seconds(source, SEGMENT_SECONDS);
        double direct = (direct1 + direct2) / 2;

        lines.put("source", SECONDS + " s, 1280x720, H.264 + AAC, " + SEGMENT_SECONDS + " s segments");
        lines.put("direct ffmpeg work (probe, split, preview per segment, concat)",
                String.format("%.2f s (runs: %.2f s, %.2f s)", direct, direct1, direct2));
        lines.put("pipeline, 1 inference consumer", String.format("%.2f s, ratio %.3f, peak heap %d MiB",
                pipeline1 / 1000.0, pipeline1 / 1000.0 / direct, heap1 >> 20));
        lines.put("pipeline, 2 inference consumers", String.format("%.2f s, ratio %.3f, peak heap %d MiB",
                pipeline2 / 1000.0, pipeline2 / 1000.0 / direct, heap2 >> 20));
        System.out.println();
        System.out.println("=== ReelRoute pipeline benchmark (" + Runtime.getRuntime().availableProcessors() + " cores) ===");
        lines.forEach((k, v) -> System.out.println(k + ": " + v));
        System.out.println();
    }

    private static ConfigurableApplicationContext start(int consumers) throws IOException {
        return BenchApplication.start("--reelroute.inference.concurrent-consumers=" + consumers);
    }

    /** Upload to {@code completed}, in milliseconds. */
    private static long runJob(ConfigurableApplicationContext app, Path source) throws InterruptedException {
        long started = System.nanoTime();
        BenchJobs.awaitCompleted(app, BenchJobs.upload(app, source));
        return (System.nanoTime() - started) / 1_000_000;
    }
}
