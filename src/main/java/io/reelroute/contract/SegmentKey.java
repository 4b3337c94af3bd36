package io.reelroute.contract;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chunked segment in the input bucket: {@code segments/{job_id}/{index:05d}_{mode}.mp4}. The key holds no total:
 * the chunk hop hands each segment on as the split writes it, before the total is known; the job records
 * {@code total_segments} when the split ends, and only the completion aggregation needs it.
 */
public record SegmentKey(String jobId, int index, Mode mode) {

    /** Five digits in the key. */
    public static final int MAX_SEGMENTS = 99_999;

    private static final String WHAT = "a segment key (segments/{job_id}/{index:05d}_{mode}.mp4)";
    // [0-9], not \d: exactly five ASCII digits. The optional _{total:05d} is the layout before segments were handed
    // on as they were written: such a segment, in flight while a deployment is upgraded, is still worked on.
    private static final Pattern FILE = Pattern.compile("([0-9]{5})(?:_[0-9]{5})?_([a-z]+)\\.mp4");

    public SegmentKey {
        JobIds.requireValid(jobId);
        if (mode == null) {
            throw new IllegalArgumentException("segment without a mode");
        }
        if (index < 0 || index >= MAX_SEGMENTS) {
            throw new IllegalArgumentException("segment index must be 0 to " + (MAX_SEGMENTS - 1) + ", was " + index);
        }
    }

    public String key() {
        return "segments/%s/%05d_%s.mp4".formatted(jobId, index, mode.id());
    }

    /** "segment 3", for reasons a person reads. */
    public String describe() {
        return "segment " + index;
    }

    /** @throws InvalidKeyException for any key outside the layout */
    public static SegmentKey parse(String key) {
        String[] segments = KeyPaths.segments(key, WHAT);
        if (segments.length != 3 || !segments[0].equals("segments")) {
            throw KeyPaths.invalid(WHAT, "it is not three segments under segments/", key);
        }
        if (!JobIds.isValid(segments[1])) {
            throw KeyPaths.invalid(WHAT, "the job id is not a lowercase UUID", key);
        }
        Matcher file = FILE.matcher(segments[2]);
        if (!file.matches()) {
            throw KeyPaths.invalid(WHAT, "the file name is not {index:05d}_{mode}.mp4", key);
        }
        try {
            return new SegmentKey(segments[1], Integer.parseInt(file.group(1)), Mode.fromId(file.group(2)));
        } catch (IllegalArgumentException e) {
            throw KeyPaths.invalid(WHAT, e.getMessage(), key);
        }
    }
}
