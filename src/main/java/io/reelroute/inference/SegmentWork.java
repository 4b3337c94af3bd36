package io.reelroute.inference;

import java.nio.file.Path;
import java.time.Duration;

import io.reelroute.contract.SegmentKey;

/**
 * One segment's inference: where its input and output are, in S3 and on local disk, and how long it may take.
 * {@code workDir} is a folder of this run's own, removed afterwards.
 */
public record SegmentWork(
        SegmentKey segment,
        String inputBucket,
        String outputBucket,
        String outputKey,
        Path workDir,
        Duration timeout) {

    public String s3InputUri() {
        return "s3://" + inputBucket + "/" + segment.key();
    }

    public String s3OutputUri() {
        return "s3://" + outputBucket + "/" + outputKey;
    }

    public Path inputFile() {
        return workDir.resolve("input.mp4");
    }

    public Path outputFile() {
        return workDir.resolve("output.mp4");
    }

    /** The request document of the remote backends (http, sagemaker-async, lambda). */
    public java.util.Map<String, String> request() {
        return java.util.Map.of("s3_input_uri", s3InputUri(), "s3_output_uri", s3OutputUri(),
                "mode", segment.mode().id());
    }

    /** "segment 3 of 6", for reasons a person reads. */
    public String describe() {
        return "segment " + segment.index() + " of " + segment.total();
    }
}
