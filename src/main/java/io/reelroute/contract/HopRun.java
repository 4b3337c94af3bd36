package io.reelroute.contract;

import java.time.Duration;
import java.time.Instant;

/**
 * One run of a hop on a job, as it started: when, and for the hop that took the message off its queue, how long
 * the message waited there (SQS SentTimestamp to receipt) and how many times SQS had delivered it. The stores
 * keep it on the job (or the segment's completion) with the time the hop finished. Routes have the current one
 * in the variable {@code hopRun} (HopTimes sets it), and pass it to the store call that ends the hop.
 *
 * @param queueWait null when the hop did not take a message off a queue itself (it runs on another hop's)
 * @param deliveries null when not from a queue; 1 on the first delivery
 */
public record HopRun(Hop hop, Instant startedAt, Duration queueWait, Integer deliveries) {

    public HopRun {
        if (hop == null || startedAt == null) {
            throw new IllegalArgumentException("a hop run needs its hop and when it started");
        }
        if (queueWait != null && queueWait.isNegative()) {
            // Clocks of the sender and this host differ a little: a message is never received before it was sent.
            queueWait = Duration.ZERO;
        }
    }
}
