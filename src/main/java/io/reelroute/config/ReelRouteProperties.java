package io.reelroute.config;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Every setting an integration engineer can change, under {@code reelroute.*}. The defaults live in
 * application.yaml so that they are visible in one file; the README lists them all.
 */
@ConfigurationProperties("reelroute")
public record ReelRouteProperties(
        @DefaultValue("auto") RunMode mode,
        @DefaultValue("reelroute") String prefix,
        @DefaultValue("sbs") String defaultMode,
        @DefaultValue Routes routes,
        @DefaultValue Aws aws,
        @DefaultValue Sqs sqs,
        @DefaultValue Chunking chunking,
        @DefaultValue Media media,
        @DefaultValue Embedded embedded) {

    public record Routes(
            @DefaultValue("routes") Path dir,
            @DefaultValue("*") String enabled) {
    }

    public record Aws(
            @DefaultValue("us-east-1") String region,
            /** Any AWS-compatible endpoint (LocalStack, Floci, moto); empty means AWS itself. */
            String endpoint) {

        public boolean hasEndpoint() {
            return endpoint != null && !endpoint.isBlank();
        }
    }

    public record Sqs(
            @DefaultValue("20") int waitTimeSeconds,
            @DefaultValue("60") int visibilityTimeoutSeconds,
            /** Deliveries before a message moves to its DLQ (used where ReelRoute provisions queues). */
            @DefaultValue("5") int maxReceiveCount) {
    }

    public record Chunking(
            @DefaultValue("10") int segmentSeconds,
            @DefaultValue("1") int concurrentConsumers) {
    }

    public record Media(
            /** Path of an ffmpeg executable; empty means the one bundled from Maven Central. */
            String ffmpeg,
            /** Path of an ffprobe executable; empty means the one bundled from Maven Central. */
            String ffprobe,
            @DefaultValue("60s") Duration probeTimeout,
            @DefaultValue("30m") Duration splitTimeout,
            /** Where sources and segments pass through on local disk; empty means {@code <java.io.tmpdir>/reelroute}. */
            String workDir) {

        public Path workRoot() {
            return workDir == null || workDir.isBlank()
                    ? Path.of(System.getProperty("java.io.tmpdir"), "reelroute") : Path.of(workDir);
        }
    }

    public record Embedded(
            @DefaultValue("data") Path dataDir,
            @DefaultValue("9090") int s3Port,
            @DefaultValue("9324") int sqsPort,
            @DefaultValue("8000") int dynamodbPort,
            @DefaultValue("inbox") Path inbox,
            @DefaultValue("1s") Duration notificationPoll) {
    }
}
