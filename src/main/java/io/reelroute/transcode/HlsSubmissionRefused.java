package io.reelroute.transcode;

/**
 * MediaConvert refused a CreateJob request with a 4xx answer other than throttling: the request itself is
 * wrong (bad settings, a role it may not assume, an unknown queue), so sending it again will not help. The
 * message is the reason to record on the job's failed HLS status.
 */
public class HlsSubmissionRefused extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int statusCode;

    public HlsSubmissionRefused(int statusCode, String serviceMessage, Throwable cause) {
        super("MediaConvert refused the job: " + statusCode + " " + serviceMessage, cause);
        this.statusCode = statusCode;
    }

    /** The HTTP status of MediaConvert's answer. */
    public int statusCode() {
        return statusCode;
    }
}
