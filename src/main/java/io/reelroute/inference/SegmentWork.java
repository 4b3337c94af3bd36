package io.reelroute.inference;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.reelroute.contract.SegmentKey;
import io.reelroute.contract.StereoParams;

/**
 * One segment's inference: where its input and output are, in S3 and on local disk, and how long it may take.
 * {@code workDir} is a folder of this run's own, removed afterwards. A preview clip of a held job is worked on the
 * same way ({@code preview}: its {@code segment} is its index, its input at {@code inputKey}).
 */
public record SegmentWork(
        SegmentKey segment,
        StereoParams params,
        String inputBucket,
        String outputBucket,
        String outputKey,
        Path workDir,
        Duration timeout,
        String inputKey,
        boolean preview) {

    /** A segment of the job, its input at its key. */
    public SegmentWork(SegmentKey segment, StereoParams params, String inputBucket, String outputBucket, String outputKey,
            Path workDir, Duration timeout) {
        this(segment, params, inputBucket, outputBucket, outputKey, workDir, timeout, segment.key(), false);
    }

    public String s3InputUri() {
        return "s3://" + inputBucket + "/" + inputKey;
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

    /**
     * The request document of the remote backends (http, sagemaker-async, lambda): where the segment is and
     * where its output goes, the job's stereo params, and the two-valued {@code mode} of models written before
     * formats.
     */
    public Map<String, Object> request() {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("s3_input_uri", s3InputUri());
        request.put("s3_output_uri", s3OutputUri());
        request.put("mode", params.format().mode().id());
        request.put("params", params.byName());
        return request;
    }

    /** "segment 3" (or "preview clip 1"), for reasons a person reads. */
    public String describe() {
        return preview ? "preview clip " + segment.index() : segment.describe();
    }
}
