package io.reelroute.pipelines;

/** A job request that names no known pipeline, or params its pipeline's schema refuses; the message says which. */
public class InvalidJobRequest extends IllegalArgumentException {

    public InvalidJobRequest(String message) {
        super(message);
    }
}
