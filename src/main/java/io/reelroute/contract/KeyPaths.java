package io.reelroute.contract;

/**
 * Splits a key into its path segments, rejecting the shapes that could escape a job's folder or name one
 * object two ways ({@code ..}, {@code //}, a leading {@code /}), so that each key class only checks its layout.
 */
final class KeyPaths {

    private KeyPaths() {
    }

    /** @param what names the key and its layout for the message, e.g. "a source key (input/{job_id}/source.mp4)" */
    static String[] segments(String key, String what) {
        if (key == null || key.isEmpty()) {
            throw invalid(what, "the key is empty", key);
        }
        if (key.startsWith("/")) {
            throw invalid(what, "it starts with '/'", key);
        }
        String[] segments = key.split("/", -1);
        for (String segment : segments) {
            if (segment.isEmpty()) {
                throw invalid(what, "it has an empty path segment", key);
            }
            if (segment.equals("..") || segment.equals(".")) {
                throw invalid(what, "it has a '" + segment + "' path segment", key);
            }
        }
        return segments;
    }

    static InvalidKeyException invalid(String what, String why, String key) {
        return new InvalidKeyException("not " + what + ", " + why, key);
    }
}
