package io.reelroute.contract;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Job ids are UUIDs in canonical lowercase form only. One spelling per job keeps keys, table items and
 * URLs from naming the same job two ways, and the id is safe inside a key as it is.
 */
public final class JobIds {

    private static final Pattern CANONICAL =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private JobIds() {
    }

    public static String newId() {
        // UUID.toString() is already canonical and lowercase.
        return UUID.randomUUID().toString();
    }

    public static boolean isValid(String s) {
        return s != null && CANONICAL.matcher(s).matches();
    }

    public static String requireValid(String s) {
        if (!isValid(s)) {
            throw new IllegalArgumentException("not a job id (a lowercase UUID, 8-4-4-4-12 hex digits): " + Quote.of(s));
        }
        return s;
    }
}
