package io.reelroute.transcode;

/** The local HLS packaging of a final MP4 did not produce a usable package; the message says why. */
public class HlsPackagingFailed extends RuntimeException {

    public HlsPackagingFailed(String message) {
        super(message);
    }

    public HlsPackagingFailed(String message, Throwable cause) {
        super(message, cause);
    }
}
