package io.reelroute.media;

/** ffmpeg or ffprobe ended with a non-zero exit; the message carries the tail of its stderr. */
public class MediaCommandException extends RuntimeException {

    public MediaCommandException(String tool, int exitCode, String stderrTail) {
        super(tool + " exited with code " + exitCode + (stderrTail.isBlank() ? "" : ": " + stderrTail));
    }
}
