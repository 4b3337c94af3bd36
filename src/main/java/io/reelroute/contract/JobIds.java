package io.reelroute.contract;

import java.util.UUID;
import java.util.regex.Pattern;

/** Job ids are UUIDs in canonical lowercase form, so they are safe inside keys and URLs as they are. */
public final class JobIds {

    private static final Pattern CANONICAL = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private JobIds() {
    }

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    public static boolean isValid(String id) {
        return id != null && CANONICAL.matcher(id).matches();
    }

    public static String requireValid(String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException("not a job id (a lowercase UUID): '" + id + "'");
        }
        return id;
    }
}
