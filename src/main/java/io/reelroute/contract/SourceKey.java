package io.reelroute.contract;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The uploaded source of a job in the input bucket: {@code input/{job_id}/source.mp4}. */
public record SourceKey(String jobId) {

    private static final Pattern LAYOUT = Pattern.compile("input/([^/]+)/source\\.mp4");

    public SourceKey {
        JobIds.requireValid(jobId);
    }

    public String key() {
        return "input/" + jobId + "/source.mp4";
    }

    /** For routes: the key of a job's source. */
    public static String keyFor(String jobId) {
        return new SourceKey(jobId).key();
    }

    public static SourceKey parse(String key) {
        Matcher matcher = key == null ? null : LAYOUT.matcher(key);
        if (matcher == null || !matcher.matches()) {
            throw new InvalidKeyException("not a source key (input/{job_id}/source.mp4)", key);
        }
        if (!JobIds.isValid(matcher.group(1))) {
            throw new InvalidKeyException("source key without a valid job id", key);
        }
        return new SourceKey(matcher.group(1));
    }
}
