package io.reelroute.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.aws.AwsResources;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.JobStatus;
import io.reelroute.contract.SourceKey;
import io.reelroute.media.FileProbe;
import io.reelroute.media.MediaCommands;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.media.VideoProbe;
import io.reelroute.store.JobStore;
import io.reelroute.testing.TestParams;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

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
    private static final MediaTools TOOLS = MediaTools.bundled();

    @Test
    void orchestrationOverhead() throws Exception {
        Path source = TestVideos.clip(SECONDS, 1280, 720, true);
        Map<String, String> lines = new LinkedHashMap<>();

        double direct1 = direct(source);
        long pipeline1 = 0;
        long heap1 = 0;
        long pipeline2 = 0;
        long heap2 = 0;
        for (int consumers : new int[] {1, 2}) {
            try (ConfigurableApplicationContext app = start(consumers)) {
                resetPeaks();
                long elapsed = runJob(app, source);
                if (consumers == 1) {
                    pipeline1 = elapsed;
                    heap1 = peakHeap();
                } else {
                    pipeline2 = elapsed;
                    heap2 = peakHeap();
                }
            }
        }
        double direct2 = direct(source);
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

    /** The pipeline's ffmpeg work, run back to back in this process; seconds. */
    private static double direct(Path source) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("target"), "bench-direct-");
        long started = System.nanoTime();
        run(TOOLS.ffprobe(), MediaCommands.probe(source), dir.resolve("probe.json"));
        VideoProbe.parse(Files.readString(dir.resolve("probe.json")), new ObjectMapper());
        Path segments = Files.createDirectories(dir.resolve("segments"));
        run(TOOLS.ffmpeg(), MediaCommands.split(source, segments, SEGMENT_SECONDS), dir.resolve("split.log"));
        List<String> concat = new ArrayList<>();
        List<Path> parts;
        try (var files = Files.list(segments)) {
            parts = files.filter(p -> p.toString().endsWith(".mp4")).sorted().toList();
        }
        for (Path part : parts) {
            Path out = dir.resolve("out-" + part.getFileName());
            run(TOOLS.ffmpeg(), MediaCommands.stereoPreview(part, out, TestParams.stereo("{}"),
                    new FileProbe(TOOLS, Duration.ofMinutes(1), new ObjectMapper()).probe(part)), dir.resolve("preview.log"));
            concat.add("file '" + out.toAbsolutePath() + "'");
        }
        Files.write(dir.resolve("concat.txt"), concat);
        run(TOOLS.ffmpeg(), MediaCommands.concat(dir.resolve("concat.txt"), dir.resolve("final.mp4"), null, null), dir.resolve("concat.log"));
        return (System.nanoTime() - started) / 1e9;
    }

    private static void run(String program, List<String> args, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(program);
        command.addAll(args);
        ProcessRunner.Result result = ProcessRunner.run(command, Duration.ofMinutes(30), log);
        if (!result.succeeded()) {
            throw new IllegalStateException(command + ": " + result.tail());
        }
    }

    private static ConfigurableApplicationContext start(int consumers) throws IOException {
        return BenchApplication.start("--reelroute.inference.concurrent-consumers=" + consumers);
    }

    /** Upload to {@code completed}, in milliseconds. */
    private static long runJob(ConfigurableApplicationContext app, Path source) throws InterruptedException {
        S3Client s3 = app.getBean(S3Client.class);
        JobStore jobs = app.getBean(JobStore.class);
        String bucket = app.getBean(AwsResources.class).names().inputBucket();
        String jobId = JobIds.newId();
        long started = System.nanoTime();
        s3.putObject(r -> r.bucket(bucket).key(new SourceKey(jobId).key()), RequestBody.fromFile(source));
        while (true) {
            JobStatus status = jobs.find(jobId).map(j -> j.status()).orElse(null);
            if (status == JobStatus.COMPLETED) {
                return (System.nanoTime() - started) / 1_000_000;
            }
            if (status == JobStatus.FAILED) {
                throw new IllegalStateException("benchmark job failed: " + jobs.find(jobId));
            }
            Thread.sleep(50);
        }
    }

    private static void resetPeaks() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long peakHeap() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }
}
