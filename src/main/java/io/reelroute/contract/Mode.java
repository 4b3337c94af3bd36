package io.reelroute.contract;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The stereo output a job asks for: full side-by-side, or red/cyan anaglyph. */
public enum Mode {
    SBS,
    ANAGLYPH;

    /** The id used in keys, table items and APIs. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Strict: only the exact lowercase id, so a segment key has one spelling. */
    public static Mode fromId(String id) {
        for (Mode mode : values()) {
            if (mode.id().equals(id)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown mode " + Quote.of(id) + "; allowed: "
                + Arrays.stream(values()).map(Mode::id).collect(Collectors.joining(", ")));
    }
}
