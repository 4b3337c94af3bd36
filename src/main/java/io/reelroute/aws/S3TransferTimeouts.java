package io.reelroute.aws;

import java.time.Duration;
import java.util.Set;

import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartCopyRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * The S3 calls that move a whole object or part (a source of gigabytes, final.mp4) get reelroute.aws.transfer-timeout
 * for the call and for each attempt, instead of the client's limits for short calls; a call that sets its own limit
 * keeps it. An interceptor, so that the calls Camel's aws2-s3 component makes are covered as well as ours.
 */
final class S3TransferTimeouts implements ExecutionInterceptor {

    private static final Set<Class<?>> TRANSFERS = Set.of(GetObjectRequest.class, PutObjectRequest.class,
            UploadPartRequest.class, CopyObjectRequest.class, UploadPartCopyRequest.class,
            CompleteMultipartUploadRequest.class);

    private final Duration timeout;

    S3TransferTimeouts(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        if (!(context.request() instanceof AwsRequest request) || !TRANSFERS.contains(request.getClass())
                || request.overrideConfiguration().flatMap(c -> c.apiCallTimeout()).isPresent()) {
            return context.request();
        }
        AwsRequestOverrideConfiguration override = request.overrideConfiguration()
                .map(AwsRequestOverrideConfiguration::toBuilder)
                .orElseGet(AwsRequestOverrideConfiguration::builder)
                .apiCallTimeout(timeout)
                .apiCallAttemptTimeout(timeout)
                .build();
        return request.toBuilder().overrideConfiguration(override).build();
    }
}
