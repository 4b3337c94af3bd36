package io.reelroute.contract;

import java.util.Locale;

/** Where a failed job stopped; with the reason, it tells a person what to do. */
public enum FailurePhase {
    UPLOAD,
    PROBE,
    CHUNKING,
    INFERENCE,
    REASSEMBLY,
    PACKAGING,
    /** Making a pipeline's outputs from the whole source (MP4 renditions). */
    TRANSCODE,
    /** No progress for too long: set by whatever notices the silence, since the stalled hop can't report it. */
    STALLED;

    /** The name in table items and events. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The phase a hop's errors belong to. The hop is the route group of the hops' routes (routes/*.camel.yaml), as
     * the error policy reads it ({@code ${routeGroup}}) to note a transient error on the job: whoever gives up on
     * the message later (the dead-letters hop) fails the job in that phase.
     */
    public static FailurePhase ofHop(String hop) {
        return switch (hop == null ? "" : hop) {
            case "upload-event", "chunk" -> CHUNKING;
            // Recording a segment's completion and triggering reassembly close the inference phase.
            case "inference", "completion" -> INFERENCE;
            case "reassembly" -> REASSEMBLY;
            case "renditions" -> TRANSCODE;
            case "transcode-events", "transcode-submit" -> PACKAGING;
            // Webhooks are delivered after the job ended, so nothing is noted on it; their queue is packaging's.
            case "webhooks" -> PACKAGING;
            default -> throw new IllegalArgumentException("no failure phase for hop " + Quote.of(hop));
        };
    }

    /** Strict, like {@link JobStatus#fromWireName(String)}: only the exact lowercase name. */
    public static FailurePhase fromWireName(String wireName) {
        for (FailurePhase phase : values()) {
            if (phase.wireName().equals(wireName)) {
                return phase;
            }
        }
        throw new IllegalArgumentException("unknown failure phase " + Quote.of(wireName));
    }
}
