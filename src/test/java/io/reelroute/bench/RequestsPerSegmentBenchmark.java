package io.reelroute.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.reelroute.testing.TestVideos;

/**
 * P3: AWS requests (S3, SQS, DynamoDB; each attempt, as {@code reelroute.aws.requests} counts them) per segment,
 * for jobs of growing segment counts on the embedded default, from upload to HLS ready. Not part of
 * {@code ./mvnw verify}; run:
 * <pre>./mvnw test -Dtest=RequestsPerSegmentBenchmark -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.segments=10,100,1000]</pre>
 * Segments are 2 s (the shortest the params allow) of a tiny video, so the model's work is small and the counts are the orchestration's. The
 * requests the application makes while idle (queue long polls, the watchdog's sweeps) are measured first and
 * printed, not subtracted: they grow with a job's duration, not with its segments.
 */
class RequestsPerSegmentBenchmark {

    private static final int[] SEGMENTS = Arrays.stream(System.getProperty("bench.segments", "10,100").split(","))
            .mapToInt(s -> Integer.parseInt(s.strip())).toArray();
    private static final long IDLE_MILLIS = 30_000;

    @Test
    void requestsPerSegment() throws Exception {
        try (ConfigurableApplicationContext app = start()) {
            MeterRegistry meters = app.getBean(MeterRegistry.class);
            Thread.sleep(5_000); // past the start's own requests
            Map<String, Double> before = requests(meters);
            Thread.sleep(IDLE_MILLIS);
            Map<String, Double> idle = minus(requests(meters), before);

            System.out.println();
            System.out.println("=== AWS requests per segment (embedded default, 2 s segments, upload to HLS ready) ===");
            System.out.println("idle, per second: " + perUnit(idle, IDLE_MILLIS / 1000.0) + " (all so far: " + rounded(before) + ")");
            for (int segments : SEGMENTS) {
                Path source = TestVideos.clip(2 * segments, 160, 120, true);
                Map<String, Double> start = requests(meters);
                Map<String, Double> startByOperation = requestsByOperation(meters);
                long started = System.nanoTime();
                int polls = runJob(app, source);
                double seconds = (System.nanoTime() - started) / 1e9;
                Map<String, Double> used = minus(requests(meters), start);
                // The benchmark's own reads of the job (one GetItem each) go through the application's client too.
                used.merge("DynamoDb", (double) -polls, Double::sum);
                Map<String, Double> byOperation = minus(requestsByOperation(meters), startByOperation);
                byOperation.merge("DynamoDb.GetItem", (double) -polls, Double::sum);
                System.out.printf("%d segments, %.1f s: total %s; per segment %s%n  per segment by operation: %s%n",
                        segments, seconds, rounded(used), perUnit(used, segments), perOperation(byOperation, segments));
            }
            System.out.println();
        }
    }

    /** Requests so far, by service as the SDK names it ("S3", "Sqs", "DynamoDb"). */
    private static Map<String, Double> requests(MeterRegistry meters) {
        Map<String, Double> byService = new TreeMap<>();
        for (Counter counter : meters.find("reelroute.aws.requests").counters()) {
            byService.merge(counter.getId().getTag("service"), counter.count(), Double::sum);
        }
        return byService;
    }

    /** Requests so far, by service and operation ("DynamoDb.GetItem"). */
    private static Map<String, Double> requestsByOperation(MeterRegistry meters) {
        Map<String, Double> byOperation = new TreeMap<>();
        for (Counter counter : meters.find("reelroute.aws.requests").counters()) {
            byOperation.merge(counter.getId().getTag("service") + "." + counter.getId().getTag("operation"),
                    counter.count(), Double::sum);
        }
        return byOperation;
    }

    private static String perOperation(Map<String, Double> counts, double units) {
        Map<String, String> shown = new TreeMap<>();
        counts.forEach((operation, count) -> {
            if (count >= 0.5) {
                shown.put(operation, String.format("%.2f", count / units));
            }
        });
        return shown.toString();
    }

    private static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before) {
        Map<String, Double> difference = new TreeMap<>();
        after.forEach((service, count) -> difference.put(service, count - before.getOrDefault(service, 0.0)));
        return difference;
    }

    private static String perUnit(Map<String, Double> counts, double units) {
        Map<String, String> shown = new TreeMap<>();
        counts.forEach((service, count) -> shown.put(service, String.format("%.2f", count / units)));
        shown.put("all", String.format("%.2f", counts.values().stream().mapToDouble(Double::doubleValue).sum() / units));
        return shown.toString();
    }

    private static String rounded(Map<String, Double> counts) {
        Map<String, Long> shown = new TreeMap<>();
        counts.forEach((service, count) -> shown.put(service, Math.round(count)));
        return shown.toString();
    }

    private static ConfigurableApplicationContext start() throws IOException {
        return BenchApplication.start("--reelroute.chunking.segment-seconds=2", "--reelroute.inference.concurrent-consumers=2");
    }

    /** Upload to HLS ready; returns how many times it read the job. */
    private static int runJob(ConfigurableApplicationContext app, Path source) throws InterruptedException {
        return BenchJobs.awaitHlsReady(app, BenchJobs.upload(app, source));
    }
}
