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

    /**
     * Where the chunk hop keeps a job's audio, subtitles and chapters for the join, in the input bucket:
     * {@code tracks/{job_id}/tracks.mkv}. Outside input/ and segments/, so that no event starts work for it.
     */
    public static String tracksKeyFor(String jobId) {
        JobIds.requireValid(jobId);
        return "tracks/" + jobId + "/tracks.mkv";
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
