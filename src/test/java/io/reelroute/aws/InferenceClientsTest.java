package io.reelroute.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.config.RunModeResolver;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;

/** Where the Lambda and SageMaker runtime clients send their calls, in each run mode. */
class InferenceClientsTest {

    private final ApplicationContextRunner aws = new ApplicationContextRunner()
            .withUserConfiguration(Properties.class, AwsClientsConfiguration.class)
            .withPropertyValues(RunModeResolver.EMBEDDED_PROPERTY + "=false");

    private final ApplicationContextRunner embedded = new ApplicationContextRunner()
            .withUserConfiguration(Properties.class, AwsClientsConfiguration.class, EmbeddedStandIn.class)
            .withPropertyValues(RunModeResolver.EMBEDDED_PROPERTY + "=true");

    @Test
    void awsItselfWhenNothingIsSet() {
        aws.run(context -> {
            assertThat(lambdaEndpoint(context.getBean(LambdaClient.class))).isEmpty();
            assertThat(sagemakerEndpoint(context.getBean(SageMakerRuntimeClient.class))).isEmpty();
        });
    }

    @Test
    void theAwsCompatibleEndpointInAwsMode() {
        aws.withPropertyValues("reelroute.aws.endpoint=http://127.0.0.1:5000").run(context -> {
            assertThat(lambdaEndpoint(context.getBean(LambdaClient.class))).contains(URI.create("http://127.0.0.1:5000"));
            assertThat(sagemakerEndpoint(context.getBean(SageMakerRuntimeClient.class))).contains(URI.create("http://127.0.0.1:5000"));
        });
    }

    @Test
    void eachServiceSettingWins() {
        aws.withPropertyValues("reelroute.aws.endpoint=http://127.0.0.1:5000",
                "reelroute.inference.lambda.endpoint=http://127.0.0.1:6001",
                "reelroute.inference.sagemaker-async.endpoint=http://127.0.0.1:6002").run(context -> {
                    assertThat(lambdaEndpoint(context.getBean(LambdaClient.class))).contains(URI.create("http://127.0.0.1:6001"));
                    assertThat(sagemakerEndpoint(context.getBean(SageMakerRuntimeClient.class)))
                            .contains(URI.create("http://127.0.0.1:6002"));
                });
    }

    @Test
    void theEmbeddedDefaultBuildsBothClients() {
        embedded.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(lambdaEndpoint(context.getBean(LambdaClient.class))).isEmpty();
            assertThat(sagemakerEndpoint(context.getBean(SageMakerRuntimeClient.class))).isEmpty();
        });
        embedded.withPropertyValues("reelroute.inference.lambda.endpoint=http://127.0.0.1:6001").run(context ->
                assertThat(lambdaEndpoint(context.getBean(LambdaClient.class))).contains(URI.create("http://127.0.0.1:6001")));
    }

    private static Optional<URI> lambdaEndpoint(LambdaClient client) {
        return client.serviceClientConfiguration().endpointOverride();
    }

    private static Optional<URI> sagemakerEndpoint(SageMakerRuntimeClient client) {
        return client.serviceClientConfiguration().endpointOverride();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ReelRouteProperties.class)
    static class Properties {
    }

    /** What the embedded default supplies: emulator endpoints for S3, SQS and DynamoDB only, and fixed credentials. */
    @Configuration(proxyBeanMethods = false)
    static class EmbeddedStandIn {

        @Bean
        AwsEndpoints awsEndpoints() {
            URI emulator = URI.create("http://127.0.0.1:9");
            return new AwsEndpoints(emulator, emulator, emulator, true);
        }

        @Bean
        AwsCredentialsProvider awsCredentialsProvider() {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create("reelroute", "reelroute"));
        }
    }
}
