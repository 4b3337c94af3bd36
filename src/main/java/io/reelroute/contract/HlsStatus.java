package io.reelroute.contract;

import java.util.Locale;

/**
 * Where a completed job's HLS package stands: submitted → progressing → ready, or → failed. It moves forward
 * only, like {@link JobStatus}, so a repeated or late MediaConvert event can't move it back; ready and failed
 * are final. A failed package leaves the job {@code completed}: its {@code final.mp4} is still there.
 */
public enum HlsStatus {
    SUBMITTED,
    PROGRESSING,
    READY,
    FAILED;

    /** The name in table items and APIs. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static HlsStatus fromWireName(String wireName) {
        for (HlsStatus status : values()) {
            if (status.wireName().equals(wireName)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown HLS status " + Quote.of(wireName));
    }

    public boolean isFinal() {
        return this == READY || this == FAILED;
    }
}
