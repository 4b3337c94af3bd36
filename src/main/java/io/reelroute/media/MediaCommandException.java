package io.reelroute.media;

/** ffmpeg or ffprobe ended with a non-zero exit; the message carries the tail of its stderr. */
public class MediaCommandException extends RuntimeException {

    private final int exitCode;

    public MediaCommandException(String tool, int exitCode, String stderrTail) {
        super(tool + " exited with code " + exitCode + (stderrTail.isBlank() ? "" : ": " + stderrTail));
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
