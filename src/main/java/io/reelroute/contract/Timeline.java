package io.reelroute.contract;

import java.time.Instant;
import java.util.List;

/**
 * Where a job's time went: its hops, in pipeline order, and a page of its segments' inference, by index. Times
 * are null where unknown (a hop that has not finished; a completion recorded without timing).
 *
 * @param nextSegment the first index of the next page of segments; null after the last
 */
public record Timeline(List<HopTime> hops, List<SegmentTime> segments, Integer nextSegment) {

    public Timeline {
        hops = List.copyOf(hops);
        segments = List.copyOf(segments);
    }

    /** One hop of the job. {@code queueWaitMs} is null where the hop took no message off a queue itself. */
    public record HopTime(Hop hop, Instant startedAt, Instant finishedAt, Long queueWaitMs) {
    }

    /** One segment's inference: taken off the video-worker queue at {@code startedAt}, recorded at {@code finishedAt}. */
    public record SegmentTime(int index, Instant startedAt, Instant finishedAt, Long queueWaitMs, Integer attempts) {
    }
}
