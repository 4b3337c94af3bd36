package io.reelroute.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.reelroute.testing.TestVideos;

/**
 * Throughput: {@code bench.jobs} jobs (20 unless told) submitted at once on the embedded default, as seconds of
 * video processed per second of wall time from the first upload to the last {@code completed}, against the same
 * ffmpeg work ({@link DirectWork}) run directly, one source after the other. Not part of {@code ./mvnw verify}; run:
 * <pre>./mvnw test -Dtest=ThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.jobs=20]</pre>
 * The sources are H.264 clips of 10 to 20 s in five shapes (sizes from 480x270 to 1280x720, most with AAC audio),
 * taken in turn.
 */
class ThroughputBenchmark {

    private static final int JOBS = Integer.getInteger("bench.jobs", 20);
    private static final int SEGMENT_SECONDS = 10;
    /** Seconds, width, height, and whether it has audio (1). */
    private static final int[][] SHAPES = {{10, 1280, 720, 1}, {15, 854, 480, 1}, {20, 640, 360, 1}, {12, 960, 540, 0}, {18, 480, 270, 1}};

    @Test
    void videoSecondsPerWallSecond() throws Exception {
        List<Path> sources = new ArrayList<>();
        int videoSeconds = 0;
        for (int i = 0; i < JOBS; i++) {
            int[] shape = SHAPES[i % SHAPES.length];
            sources.add(TestVideos.clip(shape[0], shape[1], shape[2], shape[3] == 1));
            videoSeconds += shape[0];
        }

        double direct = 0;
        for (Path source : sources) {
            direct += DirectWork.seconds(source, SEGMENT_SECONDS);
        }
        double pipeline;
        long heap;
        try (ConfigurableApplicationContext app = BenchApplication.start()) {
            HeapPeak.reset();
            long started = System.nanoTime();
            List<String> jobIds = new ArrayList<>();
            for (Path source : sources) {
                jobIds.add(BenchJobs.upload(app, source));
            }
            for (String jobId : jobIds) {
                BenchJobs.awaitCompleted(app, jobId);
            }
            pipeline = (System.nanoTime() - started) / 1e9;
            heap = HeapPeak.bytes();
        }

        System.out.println();
        System.out.println("=== Throughput, " + JOBS + " jobs at once on the embedded default ("
                + Runtime.getRuntime().availableProcessors() + " cores) ===");
        System.out.println("video: " + videoSeconds + " s in " + JOBS + " sources of 10 to 20 s, " + SEGMENT_SECONDS + " s segments");
        System.out.printf("direct ffmpeg work, one source after the other: %.1f s, %.2f video s per wall s%n", direct, videoSeconds / direct);
        System.out.printf("pipeline, upload to the last completed: %.1f s, %.2f video s per wall s (%.2f of direct), peak heap %d MiB%n",
                pipeline, videoSeconds / pipeline, direct / pipeline, heap >> 20);
        System.out.println();
    }
}
