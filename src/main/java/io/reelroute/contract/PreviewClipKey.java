package io.reelroute.contract;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A preview clip of a held job in the input bucket: {@code segments/{job_id}/preview/{preview_id}/{index:02d}_{count:02d}.mp4}.
 * Under {@code segments/} so that the segment queue brings it to the inference role, in a folder of its own so
 * that it is never taken for a segment of the job. {@code previewId} names one preview request: clips of an
 * older request are not recorded on a newer one.
 */
public record PreviewClipKey(String jobId, String previewId, int index, int count) {

    public static final int MAX_CLIPS = 5;

    private static final String WHAT = "a preview clip key (segments/{job_id}/preview/{preview_id}/{index:02d}_{count:02d}.mp4)";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}");
    private static final Pattern FILE = Pattern.compile("([0-9]{2})_([0-9]{2})\\.mp4");

    public PreviewClipKey {
        JobIds.requireValid(jobId);
        if (previewId == null || !ID.matcher(previewId).matches()) {
            throw new IllegalArgumentException("a preview id is 8 lowercase hex digits, was " + Quote.of(previewId));
        }
        if (count < 1 || count > MAX_CLIPS || index < 0 || index >= count) {
            throw new IllegalArgumentException("preview clip " + index + " of " + count + " is outside 1 to " + MAX_CLIPS + " clips");
        }
    }

    public String key() {
        return "segments/%s/preview/%s/%02d_%02d.mp4".formatted(jobId, previewId, index, count);
    }

    /** Where the model's output of the clip goes in the output bucket. */
    public String outputKey() {
        return OutputKeys.folder(jobId) + "previews/%s/%02d.mp4".formatted(previewId, index);
    }

    /** @throws InvalidKeyException for any key outside the layout */
    public static PreviewClipKey parse(String key) {
        String[] parts = KeyPaths.segments(key, WHAT);
        if (parts.length != 5 || !parts[0].equals("segments") || !parts[2].equals("preview")) {
            throw KeyPaths.invalid(WHAT, "it is not segments/{job_id}/preview/{preview_id}/{file}", key);
        }
        Matcher file = FILE.matcher(parts[4]);
        if (!JobIds.isValid(parts[1]) || !ID.matcher(parts[3]).matches() || !file.matches()) {
            throw KeyPaths.invalid(WHAT, "the job id, preview id or file name is malformed", key);
        }
        try {
            return new PreviewClipKey(parts[1], parts[3], Integer.parseInt(file.group(1)), Integer.parseInt(file.group(2)));
        } catch (IllegalArgumentException e) {
            throw KeyPaths.invalid(WHAT, e.getMessage(), key);
        }
    }
}
