package io.reelroute.media;

import java.time.Duration;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.PermanentJobFailure;

/**
 * ffmpeg or ffprobe ended with a non-zero exit (or ran out of time) on the job's own media; the message carries
 * the tail of its output. Running it again would end the same way, so the job fails in the phase the run served.
 */
public class MediaCommandException extends PermanentJobFailure {

    /** How a {@link ProcessRunner} run ended: its exit code, or the timeout it was stopped after. */
    public MediaCommandException(FailurePhase phase, String tool, ProcessRunner.Result result, Duration timeout) {
        super(phase, tool + " " + result.ending(timeout) + (result.tail().isBlank() ? "" : ": " + result.tail()));
    }
}
