package io.reelroute.embedded;

import java.io.File;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.support.processor.idempotent.FileIdempotentRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.aws.AwsEndpoints;
import io.reelroute.aws.AwsResources;
import io.reelroute.aws.ResourceProvisioning;
import io.reelroute.config.ReelRouteProperties;
import io.reelroute.config.RunModeResolver;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The embedded default: with no AWS endpoint or credentials configured, ReelRoute runs on real-protocol
 * emulators in this process (ElasticMQ, DynamoDB Local, S3Mock) on loopback, with their state under
 * {@code reelroute.embedded.data-dir}, and provisions its own resources there. None of this package is in
 * the production artifact.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = RunModeResolver.EMBEDDED_PROPERTY, havingValue = "true")
public class EmbeddedAwsConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedAwsConfiguration.class);
    /** The route, and its seda queue, that turns each object S3Mock writes into its notification. */
    private static final String OBJECT_WRITTEN = "embedded-s3-object-written";

    @Bean(destroyMethod = "close")
    EmbeddedAws embeddedAws(ReelRouteProperties properties) {
        ReelRouteProperties.Embedded settings = properties.embedded();
        return EmbeddedAws.start(new EmbeddedAws.Settings(settings.dataDir().toAbsolutePath(), settings.s3Port(),
                settings.sqsPort(), settings.dynamodbPort(), properties.aws().region()));
    }

    @Bean
    AwsEndpoints awsEndpoints(EmbeddedAws aws) {
        return new AwsEndpoints(aws.s3Endpoint(), aws.sqsEndpoint(), aws.dynamoDbEndpoint(), true);
    }

    /** The emulators accept any credentials; these keep the SDK from looking for real ones. */
    @Bean
    AwsCredentialsProvider awsCredentialsProvider() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("reelroute", "reelroute"));
    }

    @Bean
    ResourceProvisioning embeddedResourceProvisioner(S3Client s3, SqsClient sqs, DynamoDbClient dynamoDb,
            ReelRouteProperties properties) {
        return new EmbeddedResourceProvisioner(s3, sqs, dynamoDb, properties.sqs().maxReceiveCount(), false);
    }

    @Bean
    S3NotificationBridge s3NotificationBridge(S3Client s3, ObjectMapper mapper, AwsResources resources,
            ReelRouteProperties properties) {
        return new S3NotificationBridge(s3, mapper, resources, properties.aws().region());
    }

    /**
     * Once Camel has started, each object S3Mock writes is announced at once through the
     * {@code embedded-s3-object-written} route; the bridge's listing found those written before.
     */
    @Bean
    CamelContextConfiguration announceObjectsAsTheyAreWritten(EmbeddedAws aws, S3NotificationBridge bridge) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
                ProducerTemplate producer = camelContext.createProducerTemplate();
                Endpoint written = camelContext.getEndpoint("seda:" + OBJECT_WRITTEN);
                aws.onObjectWritten((bucket, key) -> {
                    if (bridge.announces(bucket, key)) {
                        Exchange exchange = written.createExchange();
                        exchange.getMessage().setBody(key);
                        // Named after the route it feeds: Camel's exchange metrics carry a routeId on every meter,
                        // and Prometheus refuses a meter of the same name without one.
                        exchange.getExchangeExtension().setFromRouteId(OBJECT_WRITTEN);
                        producer.send(written, exchange);
                    }
                });
            }
        };
    }

    /** Which objects the bridge has notified, kept beside the emulators' state so a restart sends none twice. */
    @Bean
    FileIdempotentRepository s3NotificationsSent(ReelRouteProperties properties) {
        File store = properties.embedded().dataDir().resolve("s3-notifications-sent.dat").toFile();
        return (FileIdempotentRepository) FileIdempotentRepository.fileIdempotentRepository(store, 1_000_000);
    }

    @EventListener(ApplicationReadyEvent.class)
    void printEndpoints(ApplicationReadyEvent ready) {
        EmbeddedAws aws = ready.getApplicationContext().getBean(EmbeddedAws.class);
        ReelRouteProperties properties = ready.getApplicationContext().getBean(ReelRouteProperties.class);
        LOG.info("""

                ReelRoute is running on the embedded AWS emulators (region {}, any credentials):
                  S3        {}
                  SQS       {}
                  DynamoDB  {}
                State is kept under {}. Drop a video into {} or upload it to s3://{}-input/input/<uuid>/source.mp4
                """, aws.region(), aws.s3Endpoint(), aws.sqsEndpoint(), aws.dynamoDbEndpoint(),
                properties.embedded().dataDir().toAbsolutePath(), properties.embedded().inbox().toAbsolutePath(),
                properties.prefix());
    }
}
