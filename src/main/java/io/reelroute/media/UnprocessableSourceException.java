package io.reelroute.media;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.PermanentJobFailure;

/** The uploaded file can't become segments: the job fails in phase {@code probe}, with no retry. */
public class UnprocessableSourceException extends PermanentJobFailure {

    public UnprocessableSourceException(String reason) {
        super(FailurePhase.PROBE, reason);
    }
}
