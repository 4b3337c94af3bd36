package io.reelroute.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import io.reelroute.contract.Job;
import io.reelroute.contract.Params;
import io.reelroute.contract.StereoParams;

/**
 * The file name a download of a job's {@code final.mp4} is saved under: the job's title (or its id) with, for a
 * stereo job, the tag 3D players recognise its format by ({@code Holiday_LRF_Full_SBS.mp4}, {@code _TB},
 * {@code _anaglyph}), given to the browser as the presigned URL's {@code Content-Disposition}.
 */
final class DownloadNames {

    private static final int MAX_BASE = 100;

    private DownloadNames() {
    }

    /** {@code {title}{player tag}.mp4}. */
    static String finalVideo(Job job) {
        return finalVideo(job.jobId(), job.title(), job.params());
    }

    static String finalVideo(String jobId, String title, Params params) {
        String tag = params.mode() == null ? "" : StereoParams.of(params, "").format().playerTag();
        return base(jobId, title) + tag + ".mp4";
    }

    /** An attachment named {@code fileName}: an ASCII fallback and the UTF-8 name (RFC 6266, RFC 8187). */
    static String contentDisposition(String fileName) {
        String ascii = fileName.replaceAll("[^\\x20-\\x7e]", "_").replace("\"", "_").replace("\\", "_");
        String encoded = URLEncoder.encode(fileName, StandardCharsets.UTF_8).replace("+", "%20");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
    }

    /**
     * The title without its file extension and without what a file name must not hold (path separators, control
     * and reserved characters), at most {@value #MAX_BASE} characters; the job id where nothing is left.
     */
    private static String base(String jobId, String jobTitle) {
        String title = jobTitle == null ? "" : jobTitle.strip();
        int dot = title.lastIndexOf('.');
        if (dot > 0 && title.length() - dot <= 5) {
            title = title.substring(0, dot);
        }
        String cleaned = title.replaceAll("[\\p{Cntrl}/\\\\:*?\"<>|]", "_").strip();
        if (cleaned.length() > MAX_BASE) {
            cleaned = cleaned.substring(0, MAX_BASE).strip();
        }
        return cleaned.isEmpty() || cleaned.chars().allMatch(c -> c == '.' || c == '_') ? jobId : cleaned;
    }
}
