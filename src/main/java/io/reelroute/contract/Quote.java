package io.reelroute.contract;

/** Quotes a value for an error message, cut short so a hostile or runaway input can't flood the logs. */
public final class Quote {

    static final int MAX_CHARS = 200;

    private Quote() {
    }

    public static String of(String value) {
        if (value == null) {
            return "null";
        }
        return "'" + (value.length() <= MAX_CHARS ? value : value.substring(0, MAX_CHARS) + "…") + "'";
    }
}
