package io.reelroute.aws;

import java.net.URI;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.config.RunModeResolver;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The AWS SDK clients, as Spring beans that the Camel AWS components pick up by type, so no route URI
 * carries credentials. On AWS the default credential chain applies (environment, profile, IRSA web
 * identity, EKS Pod Identity); the embedded default supplies its own endpoints and credentials.
 */
@Configuration(proxyBeanMethods = false)
public class AwsClientsConfiguration {

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
        return configure(S3Client.builder(), properties, endpoints.s3(), credentials)
                .forcePathStyle(endpoints.s3PathStyle())
                .build();
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

    private static <B extends AwsClientBuilder<B, ?>> B configure(B builder, ReelRouteProperties properties,
            URI endpoint, AwsCredentialsProvider credentials) {
        builder.region(Region.of(properties.aws().region())).credentialsProvider(credentials);
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder;
    }
}
