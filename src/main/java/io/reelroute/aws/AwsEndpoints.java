package io.reelroute.aws;

import java.net.URI;

/**
 * Where each AWS service is reached; null means the SDK's own choice (real AWS, or {@code AWS_ENDPOINT_URL*}
 * read by the SDK itself). Path-style S3 addressing is needed by every emulator.
 */
public record AwsEndpoints(URI s3, URI sqs, URI dynamoDb, boolean s3PathStyle) {

    public static AwsEndpoints of(String endpoint) {
        if (endpoint == null || endpoint.isBlank()) {
            return new AwsEndpoints(null, null, null, false);
        }
        URI uri = URI.create(endpoint.strip());
        return new AwsEndpoints(uri, uri, uri, true);
    }
}
