package io.reelroute.media;

import java.time.Duration;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.PermanentJobFailure;

/**
 * ffmpeg or ffprobe ended with a non-zero exit (or ran out of time) on the job's own media; the message carries
 * the tail of its output. Running it again would end the same way, so the job fails in the phase the run served.
 */
public class MediaCommandException extends PermanentJobFailure {

    public MediaCommandException(FailurePhase phase, String tool, int exitCode, String stderrTail) {
        super(phase, tool + " exited with code " + exitCode + (stderrTail.isBlank() ? "" : ": " + stderrTail));
    }

    /** How a {@link ProcessRunner} run ended: its exit code, or the timeout it was stopped after. */
    public MediaCommandException(FailurePhase phase, String tool, ProcessRunner.Result result, Duration timeout) {
        super(phase, tool + (result.timedOut() ? " stopped after the timeout of " + timeout.toSeconds() + " s"
                : " exited with code " + result.exitCode()) + (result.tail().isBlank() ? "" : ": " + result.tail()));
    }
}
