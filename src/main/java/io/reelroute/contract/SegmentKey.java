package io.reelroute.contract;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chunked segment in the input bucket: {@code segments/{job_id}/{index:05d}_{total:05d}_{mode}.mp4}.
 * The total is in the key so an inference worker never needs the database to know the job's size.
 */
public record SegmentKey(String jobId, int index, int total, Mode mode) {

    /** Five digits in the key. */
    public static final int MAX_SEGMENTS = 99_999;

    private static final String WHAT = "a segment key (segments/{job_id}/{index:05d}_{total:05d}_{mode}.mp4)";
    // [0-9], not \d: exactly five ASCII digits, so one segment has exactly one key.
    private static final Pattern FILE = Pattern.compile("([0-9]{5})_([0-9]{5})_([a-z]+)\\.mp4");

    public SegmentKey {
        JobIds.requireValid(jobId);
        if (mode == null) {
            throw new IllegalArgumentException("segment without a mode");
        }
        if (total < 1 || total > MAX_SEGMENTS) {
            throw new IllegalArgumentException("segment total must be 1 to " + MAX_SEGMENTS + ", was " + total);
        }
        if (index < 0 || index >= total) {
            throw new IllegalArgumentException("segment index must be 0 or more and below the total " + total
                    + ", was " + index);
        }
    }

    public String key() {
        return "segments/%s/%05d_%05d_%s.mp4".formatted(jobId, index, total, mode.id());
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
            throw KeyPaths.invalid(WHAT, "the file name is not {index:05d}_{total:05d}_{mode}.mp4", key);
        }
        try {
            return new SegmentKey(segments[1], Integer.parseInt(file.group(1)), Integer.parseInt(file.group(2)),
                    Mode.fromId(file.group(3)));
        } catch (IllegalArgumentException e) {
            throw KeyPaths.invalid(WHAT, e.getMessage(), key);
        }
    }
}
