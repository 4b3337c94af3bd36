package io.reelroute.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import com.sun.net.httpserver.HttpServer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reelroute.config.RunModeResolver;
import software.amazon.awssdk.services.s3.S3Client;

/** Each request an AWS client sends is counted by service and operation, a retried call once per attempt. */
class AwsRequestMeterTest {

    HttpServer s3;
    final AtomicInteger received = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        s3 = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // The first request gets a 503, which the SDK retries; the rest succeed.
        s3.createContext("/", exchange -> {
            exchange.sendResponseHeaders(received.incrementAndGet() == 1 ? 503 : 200, -1);
            exchange.close();
        });
        s3.start();
    }

    @AfterEach
    void stop() {
        s3.stop(0);
    }

    @Test
    void everyAttemptIsCountedByServiceAndOperation() {
        new ApplicationContextRunner()
                .withUserConfiguration(InferenceClientsTest.Properties.class, AwsClientsConfiguration.class,
                        AwsClientTimeoutsTest.Silent.class)
                .withBean(URI.class, () -> URI.create("http://127.0.0.1:" + s3.getAddress().getPort()))
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues(RunModeResolver.EMBEDDED_PROPERTY + "=true")
                .run(context -> {
                    S3Client client = context.getBean(S3Client.class);
                    client.headBucket(r -> r.bucket("reelroute-input"));
                    client.headBucket(r -> r.bucket("reelroute-input"));

                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    assertThat(received).hasValue(3);
                    assertThat(meters.get(AwsRequestMeter.METER).tag("service", "S3").tag("operation", "HeadBucket")
                            .counter().count()).isEqualTo(3.0);
                });
    }
}
