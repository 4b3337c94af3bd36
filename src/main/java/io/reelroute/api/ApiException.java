package io.reelroute.api;

/** A request the API refuses: answered with {@code status} and {@code {"error": message}}. */
public class ApiException extends RuntimeException {

    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int getStatus() {
        return status;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    public static ApiException notFound(String jobId) {
        return new ApiException(404, "no job " + jobId);
    }
}
