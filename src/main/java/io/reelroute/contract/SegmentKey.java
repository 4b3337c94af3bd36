package io.reelroute.contract;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chunked segment in the input bucket: {@code segments/{job_id}/{index:05d}_{total:05d}_{mode}.mp4}.
 * The total is in the key so an inference worker never needs the database to know the job's size.
 */
public record SegmentKey(String jobId, int index, int total, Mode mode) {

    public static final int MAX_SEGMENTS = 99_999;
    private static final Pattern LAYOUT = Pattern.compile("segments/([^/]+)/(\\d{5})_(\\d{5})_([a-z]+)\\.mp4");

    public SegmentKey {
        JobIds.requireValid(jobId);
        if (mode == null) {
            throw new IllegalArgumentException("segment without a mode");
        }
        if (total < 1 || total > MAX_SEGMENTS) {
            throw new IllegalArgumentException("segment total must be 1 to " + MAX_SEGMENTS + ", was " + total);
        }
        if (index < 0 || index >= total) {
            throw new IllegalArgumentException("segment index must be below the total " + total + ", was " + index);
        }
    }

    public String key() {
        return "segments/%s/%05d_%05d_%s.mp4".formatted(jobId, index, total, mode.id());
    }

    public static SegmentKey parse(String key) {
        Matcher matcher = key == null ? null : LAYOUT.matcher(key);
        if (matcher == null || !matcher.matches()) {
            throw new InvalidKeyException("not a segment key (segments/{job_id}/{index:05d}_{total:05d}_{mode}.mp4)", key);
        }
        try {
            return new SegmentKey(matcher.group(1), Integer.parseInt(matcher.group(2)), Integer.parseInt(matcher.group(3)),
                    Mode.fromId(matcher.group(4)));
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyException("segment key " + e.getMessage(), key);
        }
    }
}
