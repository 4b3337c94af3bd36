package io.reelroute.config;

/** Where the AWS services come from. */
public enum RunMode {
    /** Embedded unless an endpoint or AWS credentials are configured. */
    AUTO,
    /** Real-protocol emulators in this process, state under {@code reelroute.embedded.data-dir}. */
    EMBEDDED,
    /** Real AWS (default credential chain) or the AWS-compatible endpoint in {@code reelroute.aws.endpoint}. */
    AWS
}
