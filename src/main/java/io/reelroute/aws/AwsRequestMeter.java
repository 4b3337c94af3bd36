package io.reelroute.aws;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts every request the AWS clients send, retries included, as {@code reelroute.aws.requests} by service and
 * operation: what a deployment pays per request (S3, SQS, DynamoDB), and what the benchmarks count per segment.
 */
final class AwsRequestMeter implements ExecutionInterceptor {

    static final String METER = "reelroute.aws.requests";

    private final MeterRegistry meters;

    AwsRequestMeter(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        Counter.builder(METER)
                .description("Requests sent to AWS, each attempt counted")
                .tag("service", String.valueOf(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME)))
                .tag("operation", String.valueOf(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME)))
                .register(meters)
                .increment();
    }
}
