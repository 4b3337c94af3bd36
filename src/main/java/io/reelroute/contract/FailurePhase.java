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
