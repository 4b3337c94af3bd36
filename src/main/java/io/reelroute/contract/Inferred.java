package io.reelroute.contract;

import java.time.Duration;
import java.util.Locale;

/**
 * A segment the inference hop has done: its output is at {@code outputKey} in the output bucket, and the backend
 * took {@code backendTime}. What the inference hop hands to the completion aggregation, with the hop's {@code run}
 * (when it started, how long the segment's message waited; null if unknown), which the completion keeps.
 */
public record Inferred(SegmentKey segment, String outputKey, String backend, Duration backendTime, HopRun run) {

    public String jobId() {
        return segment.jobId();
    }

    /** "segment 3 (sbs) inferred to jobs/…/segments/3.mp4 by http in 1.23 s", for the log. */
    public String summary() {
        return String.format(Locale.ROOT, "segment %d (%s) inferred to %s by %s in %.2f s", segment.index(),
                segment.mode().id(), outputKey, backend, backendTime.toNanos() / 1e9);
    }
}
