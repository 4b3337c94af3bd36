package io.reelroute.contract;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Every AWS resource name, derived from one prefix (default {@code reelroute}), so code, Terraform and
 * manifests agree by construction.
 */
public record ResourceNames(
        String inputBucket,
        String outputBucket,
        String chunkingQueue,
        String videoWorkerQueue,
        String reassemblyQueue,
        /** MediaConvert job state changes, delivered by an EventBridge rule (or the local packager). */
        String transcodeEventsQueue,
        String jobsTable,
        String segmentCompletionsTable,
        String reassemblyTriggeredTable) {

    /**
     * Lowercase letters, digits and hyphens, starting with a letter or digit: then every derived name is a
     * valid bucket (3 to 63 characters), queue (80 with "-dlq") and table name.
     */
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9][a-z0-9-]{0,40}");
    /** Bucket name prefixes S3 reserves. */
    private static final List<String> RESERVED = List.of("xn--", "sthree-", "amzn-s3-demo-");

    public static ResourceNames fromPrefix(String prefix) {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException(
                    "reelroute.prefix must be 1 to 41 lowercase letters, digits or hyphens, starting with a letter or digit; was "
                            + Quote.of(prefix));
        }
        if (RESERVED.stream().anyMatch(prefix::startsWith)) {
            throw new IllegalArgumentException("reelroute.prefix must not start with a prefix S3 reserves for bucket names "
                    + RESERVED + "; was " + Quote.of(prefix));
        }
        return new ResourceNames(prefix + "-input", prefix + "-output",
                prefix + "-chunking", prefix + "-video-worker", prefix + "-reassembly", prefix + "-transcode-events",
                prefix + "-jobs", prefix + "-segment-completions", prefix + "-reassembly-triggered");
    }

    /** The dead-letter queue of a work queue. */
    public static String dlq(String queue) {
        return queue + "-dlq";
    }

    /** The work queues; each has a DLQ named by {@link #dlq(String)}. */
    public List<String> queues() {
        return List.of(chunkingQueue, videoWorkerQueue, reassemblyQueue, transcodeEventsQueue);
    }

    public List<String> buckets() {
        return List.of(inputBucket, outputBucket);
    }
}
