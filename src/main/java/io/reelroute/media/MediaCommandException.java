package io.reelroute.media;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.PermanentJobFailure;

/**
 * ffmpeg or ffprobe ended with a non-zero exit (or ran out of time) on the job's own media; the message carries
 * the tail of its stderr. Running it again would end the same way, so the job fails in the phase the run served.
 */
public class MediaCommandException extends PermanentJobFailure {

    public MediaCommandException(FailurePhase phase, String tool, int exitCode, String stderrTail) {
        super(phase, tool + " exited with code " + exitCode + (stderrTail.isBlank() ? "" : ": " + stderrTail));
    }
}
