package io.reelroute.contract;

/** An S3 key outside ReelRoute's layout. Events for such keys are dropped, never retried. */
public final class InvalidKeyException extends IllegalArgumentException {

    public InvalidKeyException(String problem, String key) {
        super(problem + ": '" + abbreviate(key) + "'");
    }

    public InvalidKeyException(String message) {
        super(message);
    }

    private static String abbreviate(String key) {
        if (key == null) {
            return "null";
        }
        return key.length() <= 200 ? key : key.substring(0, 200) + "…";
    }
}
