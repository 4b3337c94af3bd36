package io.reelroute.contract;

/** The uploaded source of a job in the input bucket: {@code input/{job_id}/source.mp4}. */
public record SourceKey(String jobId) {

    private static final String WHAT = "a source key (input/{job_id}/source.mp4)";

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

    /** @throws InvalidKeyException for any key outside the layout */
    public static SourceKey parse(String key) {
        String[] segments = KeyPaths.segments(key, WHAT);
        if (segments.length != 3 || !segments[0].equals("input")) {
            throw KeyPaths.invalid(WHAT, "it is not three segments under input/", key);
        }
        if (!JobIds.isValid(segments[1])) {
            throw KeyPaths.invalid(WHAT, "the job id is not a lowercase UUID", key);
        }
        if (!segments[2].equals("source.mp4")) {
            throw KeyPaths.invalid(WHAT, "the file is not source.mp4", key);
        }
        return new SourceKey(segments[1]);
    }
}
