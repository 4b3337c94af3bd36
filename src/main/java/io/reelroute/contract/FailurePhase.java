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
    STALLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static FailurePhase fromWireName(String wireName) {
        return valueOf(wireName.toUpperCase(Locale.ROOT));
    }
}
