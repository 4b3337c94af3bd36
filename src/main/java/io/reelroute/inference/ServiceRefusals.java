package io.reelroute.inference;

import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** How the remote backends tell a refused request from a busy or failing service. */
final class ServiceRefusals {

    private ServiceRefusals() {
    }

    /**
     * A 4xx answer other than a request timeout (408), a conflict (409, e.g. a function being updated) or
     * throttling: the service will not take this request however often it is sent.
     */
    static boolean refused(AwsServiceException e) {
        int status = e.statusCode();
        return status / 100 == 4 && status != 408 && status != 409 && status != 429 && !e.isThrottlingException();
    }

    /** "(400 ValidationError): the service's message", for a reason a person reads. */
    static String describe(AwsServiceException e) {
        String code = e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? "error"
                : e.awsErrorDetails().errorCode();
        String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        return "(" + e.statusCode() + " " + code + "): "
                + (message == null || message.isBlank() ? e.getMessage() : message.strip());
    }
}
