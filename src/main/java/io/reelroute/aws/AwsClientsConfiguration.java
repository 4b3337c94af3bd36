package io.reelroute.aws;

import java.net.URI;
import java.time.Duration;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.MeterRegistry;
import io.reelroute.config.ReelRouteProperties;
import io.reelroute.config.RunModeResolver;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.mediaconvert.MediaConvertClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The AWS SDK clients, as Spring beans that the Camel AWS components pick up by type, so no route URI
 * carries credentials. On AWS the default credential chain applies (environment, profile, IRSA web
 * identity, EKS Pod Identity); the embedded default supplies its own endpoints and credentials.
 * <p>
 * The clients of services with no embedded emulator (Lambda, SageMaker runtime, MediaConvert, EventBridge)
 * take their own endpoint setting if there is one, else {@code reelroute.aws.endpoint} in AWS mode, else the
 * SDK's regional endpoint. They are built in every mode and only called when their feature is chosen.
 */
@Configuration(proxyBeanMethods = false)
public class AwsClientsConfiguration {

    /** Lambda's longest run plus a margin. */
    static final Duration LAMBDA_READ_TIMEOUT = Duration.ofMinutes(16);

    /** Counts each client's requests where the application has a meter registry (it has, but for slim tests). */
    private final ExecutionInterceptor requestMeter;

    AwsClientsConfiguration(ObjectProvider<MeterRegistry> meters) {
        MeterRegistry registry = meters.getIfAvailable();
        this.requestMeter = registry == null ? new ExecutionInterceptor() { } : new AwsRequestMeter(registry);
    }

    @Bean
    @ConditionalOnProperty(name = RunModeResolver.EMBEDDED_PROPERTY, havingValue = "false")
    AwsEndpoints awsEndpoints(ReelRouteProperties properties) {
        return AwsEndpoints.of(properties.aws().endpoint());
    }

    @Bean
    @ConditionalOnProperty(name = RunModeResolver.EMBEDDED_PROPERTY, havingValue = "false")
    AwsCredentialsProvider awsCredentialsProvider() {
        return DefaultCredentialsProvider.builder().build();
    }

    @Bean(destroyMethod = "close")
    S3Client s3Client(ReelRouteProperties properties, AwsEndpoints endpoints, AwsCredentialsProvider credentials) {
        return configure(S3Client.builder(), properties, endpoints.s3(), credentials,
                timeouts(properties).addExecutionInterceptor(new S3TransferTimeouts(properties.aws().transferTimeout())))
                .forcePathStyle(endpoints.s3PathStyle())
                .build();
    }

    /** Presigned upload and download URLs for API callers: the S3 client's endpoint, credentials and addressing. */
    @Bean(destroyMethod = "close")
    S3Presigner s3Presigner(ReelRouteProperties properties, AwsEndpoints endpoints, AwsCredentialsProvider credentials) {
        S3Presigner.Builder builder = S3Presigner.builder()
                .region(Region.of(properties.aws().region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(endpoints.s3PathStyle()).build());
        if (endpoints.s3() != null) {
            builder.endpointOverride(endpoints.s3());
        }
        return builder.build();
    }

    @Bean(destroyMethod = "close")
    SqsClient sqsClient(ReelRouteProperties properties, AwsEndpoints endpoints, AwsCredentialsProvider credentials) {
        return configure(SqsClient.builder(), properties, endpoints.sqs(), credentials).build();
    }

    @Bean(destroyMethod = "close")
    DynamoDbClient dynamoDbClient(ReelRouteProperties properties, AwsEndpoints endpoints,
            AwsCredentialsProvider credentials) {
        return configure(DynamoDbClient.builder(), properties, endpoints.dynamoDb(), credentials).build();
    }

    /**
     * A synchronous Lambda invocation holds the connection open until the function returns (15 minutes at most),
     * so reads, and an attempt, wait longer than the HTTP client's default of 30 s and the attempt limit of other
     * clients; each call sets its own overall time limit.
     */
    @Bean(destroyMethod = "close")
    LambdaClient lambdaClient(ReelRouteProperties properties, AwsCredentialsProvider credentials,
            @Value("${" + RunModeResolver.EMBEDDED_PROPERTY + ":false}") boolean embedded) {
        return configure(LambdaClient.builder(), properties,
                serviceEndpoint(properties.inference().lambda().endpoint(), properties, embedded), credentials,
                ClientOverrideConfiguration.builder().apiCallTimeout(LAMBDA_READ_TIMEOUT).apiCallAttemptTimeout(LAMBDA_READ_TIMEOUT)
                        .addExecutionInterceptor(requestMeter))
                .httpClientBuilder(ApacheHttpClient.builder().socketTimeout(LAMBDA_READ_TIMEOUT))
                .build();
    }

    @Bean(destroyMethod = "close")
    SageMakerRuntimeClient sageMakerRuntimeClient(ReelRouteProperties properties, AwsCredentialsProvider credentials,
            @Value("${" + RunModeResolver.EMBEDDED_PROPERTY + ":false}") boolean embedded) {
        return configure(SageMakerRuntimeClient.builder(), properties,
                serviceEndpoint(properties.inference().sagemakerAsync().endpoint(), properties, embedded), credentials)
                .build();
    }

    /** MediaConvert's regional endpoint, or the override: no DescribeEndpoints call. */
    @Bean(destroyMethod = "close")
    MediaConvertClient mediaConvertClient(ReelRouteProperties properties, AwsCredentialsProvider credentials,
            @Value("${" + RunModeResolver.EMBEDDED_PROPERTY + ":false}") boolean embedded) {
        return configure(MediaConvertClient.builder(), properties,
                serviceEndpoint(properties.transcode().mediaconvert().endpoint(), properties, embedded), credentials)
                .build();
    }

    @Bean(destroyMethod = "close")
    EventBridgeClient eventBridgeClient(ReelRouteProperties properties, AwsCredentialsProvider credentials,
            @Value("${" + RunModeResolver.EMBEDDED_PROPERTY + ":false}") boolean embedded) {
        return configure(EventBridgeClient.builder(), properties,
                serviceEndpoint(properties.events().endpoint(), properties, embedded), credentials)
                .build();
    }

    /** The service's own setting, else the AWS-compatible endpoint of AWS mode, else null (the SDK's choice). */
    static URI serviceEndpoint(String override, ReelRouteProperties properties, boolean embedded) {
        if (override != null && !override.isBlank()) {
            return URI.create(override.strip());
        }
        if (!embedded && properties.aws().hasEndpoint()) {
            return URI.create(properties.aws().endpoint().strip());
        }
        return null;
    }

    private <B extends AwsClientBuilder<B, ?>> B configure(B builder, ReelRouteProperties properties,
            URI endpoint, AwsCredentialsProvider credentials) {
        return configure(builder, properties, endpoint, credentials, timeouts(properties));
    }

    /**
     * Every client has a time limit for a call and for each attempt, so a connection that never answers (a stuck
     * load balancer, a half-open socket) fails the call, which the hop's error policy retries, instead of holding a
     * consumer thread for ever.
     */
    ClientOverrideConfiguration.Builder timeouts(ReelRouteProperties properties) {
        return ClientOverrideConfiguration.builder()
                .apiCallTimeout(properties.aws().apiCallTimeout())
                .apiCallAttemptTimeout(properties.aws().apiCallAttemptTimeout())
                .addExecutionInterceptor(requestMeter);
    }

    private static <B extends AwsClientBuilder<B, ?>> B configure(B builder, ReelRouteProperties properties,
            URI endpoint, AwsCredentialsProvider credentials, ClientOverrideConfiguration.Builder override) {
        builder.region(Region.of(properties.aws().region())).credentialsProvider(credentials)
                .overrideConfiguration(override.build());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder;
    }
}
