package io.reelroute.contract;

import java.util.List;
import java.util.regex.Pattern;

/** Every AWS resource name, derived from one prefix (default {@code reelroute}). */
public record ResourceNames(
        String inputBucket,
        String outputBucket,
        String chunkingQueue,
        String videoWorkerQueue,
        String reassemblyQueue,
        String jobsTable,
        String segmentCompletionsTable,
        String reassemblyTriggeredTable) {

    /** Lowercase, digits and hyphens, so that it makes valid bucket, queue and table names. */
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9][a-z0-9-]{0,40}");

    public static ResourceNames fromPrefix(String prefix) {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("reelroute.prefix must be 1 to 41 lowercase letters, digits or hyphens, was '"
                    + prefix + "'");
        }
        return new ResourceNames(prefix + "-input", prefix + "-output",
                prefix + "-chunking", prefix + "-video-worker", prefix + "-reassembly",
                prefix + "-jobs", prefix + "-segment-completions", prefix + "-reassembly-triggered");
    }

    public static String dlq(String queue) {
        return queue + "-dlq";
    }

    /** The work queues; each has a DLQ named by {@link #dlq(String)}. */
    public List<String> queues() {
        return List.of(chunkingQueue, videoWorkerQueue, reassemblyQueue);
    }

    public List<String> buckets() {
        return List.of(inputBucket, outputBucket);
    }
}
