package io.reelroute.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.reelroute.contract.Job;
import io.reelroute.contract.Timeline;
import io.reelroute.store.JobStore;
import io.reelroute.store.SegmentCompletionStore;
import io.reelroute.testing.TestVideos;
import io.reelroute.transcode.LocalHlsPackager;

/**
 * P1: orchestration overhead of the whole embedded pipeline, as numbers. Not part of {@code ./mvnw verify}; run:
 * <pre>./mvnw test -Dtest=PipelineBenchmark -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.one-consumer] [-Dbench.args=...]</pre>
 * It generates a 60 s 720p video with audio, runs the same ffmpeg work the pipeline does (probe, split, the
 * per-segment stereo preview, concat, the local packager's HLS ladder) back to back directly, before and after the
 * whole pipeline (upload to HLS ready) twice with one inference consumer (the first job of a fresh application, and
 * a second one), then once with two in a fresh application, and prints the wall times, their ratios to the direct
 * run, the peak heap of each, where the CPU time went ({@link CpuUse}) and where the pipeline's time went, from
 * the job's timeline.
 */
class PipelineBenchmark {

    private static final int SECONDS = Integer.getInteger("bench.seconds", 60);
    private static final int SEGMENT_SECONDS = 10;
    /** -Dbench.one-consumer: the run with two inference consumers is left out. */
    private static final boolean ONE_CONSUMER_ONLY = Boolean.getBoolean("bench.one-consumer");
    /** -Dbench.args: settings for the application, separated by spaces (for example --reelroute.inference.check-output=false). */
    private static final List<String> EXTRA_ARGS = System.getProperty("bench.args", "").isBlank() ? List.of()
            : List.of(System.getProperty("bench.args").strip().split("\\s+"));

    @Test
    void orchestrationOverhead() throws Exception {
        Path source = TestVideos.clip(SECONDS, 1280, 720, true);
        Map<String, String> lines = new LinkedHashMap<>();
        Map<String, Double> steps1;
        Map<String, Double> steps2;
        List<String> directCpu = new ArrayList<>();
        List<Run> runs = new ArrayList<>();
        try (ConfigurableApplicationContext app = start(1)) {
            // The packager bean is the one the pipeline runs, with the same settings; the application idles meanwhile.
            LocalHlsPackager hls = app.getBean(LocalHlsPackager.class);
            CpuUse.Reading before = CpuUse.read();
            steps1 = DirectWork.steps(source, SEGMENT_SECONDS, hls);
            directCpu.add(CpuUse.between(before, CpuUse.read(), sum(steps1)));
            runs.add(runJob(app, source, "first job of a fresh application"));
            // A service runs many jobs: the second one finds the JIT-compiled code and filled pools the first left.
            runs.add(runJob(app, source, "second job, same application"));
            before = CpuUse.read();
            steps2 = DirectWork.steps(source, SEGMENT_SECONDS, hls);
            directCpu.add(CpuUse.between(before, CpuUse.read(), sum(steps2)));
        }
        if (!ONE_CONSUMER_ONLY) {
            try (ConfigurableApplicationContext app = start(2)) {
                runs.add(runJob(app, source, "first job of a fresh application"));
            }
        }
        double direct1 = sum(steps1);
        double direct2 = sum(steps2);
        double direct = (direct1 + direct2) / 2;

        lines.put("source", SECONDS + " s, 1280x720, H.264 + AAC, " + SEGMENT_SECONDS + " s segments"
                + (EXTRA_ARGS.isEmpty() ? "" : "; settings " + EXTRA_ARGS));
        lines.put("direct ffmpeg work (probe, split, preview per segment, concat, HLS ladder)",
                String.format("%.2f s (runs: %.2f s, %.2f s); steps of the first: %s; of the second: %s", direct, direct1, direct2,
                        rounded(steps1), rounded(steps2)));
        lines.put("  CPU of the first direct run", directCpu.get(0));
        lines.put("  CPU of the second direct run", directCpu.get(1));
        for (Run run : runs) {
            String name = run.consumers() + " inference consumer(s), " + run.which();
            lines.put("pipeline to HLS ready, " + name, String.format(
                    "%.2f s, ratio %.3f, peak heap %d MiB", run.seconds(), run.seconds() / direct, run.heap() >> 20));
            lines.put("  CPU, " + name, run.cpu());
            lines.put("  timeline, " + name, "\n" + run.timeline());
        }
        System.out.println();
        System.out.println("=== ReelRoute pipeline benchmark (" + Runtime.getRuntime().availableProcessors() + " cores) ===");
        lines.forEach((k, v) -> System.out.println(k + ": " + v));
        System.out.println();
    }

    /** One pipeline run: its wall time from the upload, peak heap, where the CPU time went, and its timeline as text. */
    private record Run(int consumers, String which, double seconds, long heap, String cpu, String timeline) {
    }

    private static ConfigurableApplicationContext start(int consumers) throws IOException {
        List<String> args = new ArrayList<>(List.of("--reelroute.inference.concurrent-consumers=" + consumers));
        args.addAll(EXTRA_ARGS);
        return BenchApplication.start(args.toArray(String[]::new));
    }

    private static double sum(Map<String, Double> steps) {
        return steps.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private static String rounded(Map<String, Double> steps) {
        List<String> shown = new ArrayList<>();
        steps.forEach((step, seconds) -> shown.add(String.format("%s %.2f s", step, seconds)));
        return String.join(", ", shown);
    }

    /** Upload to HLS ready. */
    private static Run runJob(ConfigurableApplicationContext app, Path source, String which) throws InterruptedException {
        int consumers = app.getEnvironment().getProperty("reelroute.inference.concurrent-consumers", Integer.class, 1);
        HeapPeak.reset();
        CpuUse.Reading before = CpuUse.read();
        Instant uploaded = Instant.now();
        long started = System.nanoTime();
        String jobId = BenchJobs.upload(app, source);
        BenchJobs.awaitHlsReady(app, jobId);
        double seconds = (System.nanoTime() - started) / 1e9;
        String cpu = CpuUse.between(before, CpuUse.read(), seconds);
        long heap = HeapPeak.bytes();
        return new Run(consumers, which, seconds, heap, cpu, timeline(app, jobId, uploaded));
    }

    /**
     * Each hop's start and end, in seconds after the upload, its length and its queue wait; the segments' inference
     * as one line each; and the gaps: what no hop's run covers (hand-offs, S3 events, the completion's own work).
     */
    private static String timeline(ConfigurableApplicationContext app, String jobId, Instant uploaded) {
        Job job = app.getBean(JobStore.class).find(jobId).orElseThrow();
        List<Timeline.SegmentTime> segments = app.getBean(SegmentCompletionStore.class).segmentTimes(jobId, 0, 10_000).items();
        StringBuilder text = new StringBuilder();
        for (Timeline.HopTime hop : job.hops()) {
            text.append(String.format("    %-11s %s%n", hop.hop().wireName(), span(uploaded, hop.startedAt(), hop.finishedAt(), hop.queueWaitMs())));
        }
        for (Timeline.SegmentTime segment : segments) {
            text.append(String.format("    segment %-3d %s%n", segment.index(),
                    span(uploaded, segment.startedAt(), segment.finishedAt(), segment.queueWaitMs())));
        }
        Instant firstSegment = segments.stream().map(Timeline.SegmentTime::startedAt).filter(Objects::nonNull).min(Instant::compareTo).orElse(null);
        Instant chunkEnd = job.hops().stream().filter(h -> h.hop().wireName().equals("chunk")).map(Timeline.HopTime::finishedAt)
                .filter(Objects::nonNull).findFirst().orElse(null);
        if (firstSegment != null && chunkEnd != null) {
            text.append(String.format("    first segment's inference began %.2f s before chunking ended (streaming)%n",
                    Duration.between(firstSegment, chunkEnd).toMillis() / 1000.0));
        }
        return text.toString().stripTrailing();
    }

    private static String span(Instant uploaded, Instant started, Instant finished, Long queueWaitMs) {
        if (started == null) {
            return "not recorded";
        }
        double from = Duration.between(uploaded, started).toMillis() / 1000.0;
        String end = finished == null ? "unfinished" : String.format("%7.2f s, %6.2f s long",
                Duration.between(uploaded, finished).toMillis() / 1000.0, Duration.between(started, finished).toMillis() / 1000.0);
        return String.format("%7.2f s to %s%s", from, end, queueWaitMs == null ? "" : ", queue wait " + queueWaitMs + " ms");
    }
}
