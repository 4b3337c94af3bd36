package io.reelroute.contract;

/** Keys in the output bucket, under {@code jobs/{job_id}/}. */
public final class OutputKeys {

    private OutputKeys() {
    }

    /** A processed segment; the index is not padded. */
    public static String segment(String jobId, int index) {
        if (index < 0) {
            throw new IllegalArgumentException("segment index must not be negative, was " + index);
        }
        return folder(jobId) + "segments/" + index + ".mp4";
    }

    public static String finalVideo(String jobId) {
        return folder(jobId) + "final.mp4";
    }

    /** An MP4 rendition, named by its frame's shorter side: {@code jobs/{job_id}/renditions/720p.mp4}. */
    public static String rendition(String jobId, int shortSide) {
        return folder(jobId) + "renditions/" + shortSide + "p.mp4";
    }

    /** A still of the video for players and listings: {@code jobs/{job_id}/poster.jpg}. */
    public static String poster(String jobId) {
        return folder(jobId) + "poster.jpg";
    }

    public static String hlsPrefix(String jobId) {
        return folder(jobId) + "hls/";
    }

    /** Everything of one job: {@code jobs/{job_id}/}. */
    public static String folder(String jobId) {
        return "jobs/" + JobIds.requireValid(jobId) + "/";
    }
}
