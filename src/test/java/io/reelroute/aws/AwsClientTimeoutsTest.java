package io.reelroute.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.reelroute.config.RunModeResolver;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Every AWS SDK client gives up on an endpoint that accepts the connection and never answers: within the attempt
 * limit for a short call (the hop's error policy then retries it), and within the transfer limit for an S3 call that
 * moves a whole object, which may rightly take long. Without limits, such a call holds its thread until the HTTP
 * client's 30 s read timeout, attempt after attempt.
 */
class AwsClientTimeoutsTest {

    /** Accepts connections and reads nothing, answers nothing. */
    ServerSocket silent;
    final List<Socket> held = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!silent.isClosed()) {
                try {
                    held.add(silent.accept());
                } catch (IOException closed) {
                    return;
                }
            }
        }, "silent-endpoint");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws IOException {
        silent.close();
        for (Socket socket : held) {
            socket.close();
        }
    }

    private ApplicationContextRunner clients() {
        return new ApplicationContextRunner()
                .withUserConfiguration(InferenceClientsTest.Properties.class, AwsClientsConfiguration.class, Silent.class)
                .withBean(URI.class, () -> URI.create("http://127.0.0.1:" + silent.getLocalPort()))
                .withPropertyValues(RunModeResolver.EMBEDDED_PROPERTY + "=true",
                        "reelroute.aws.api-call-timeout=3s",
                        "reelroute.aws.api-call-attempt-timeout=1s",
                        "reelroute.aws.transfer-timeout=4s");
    }

    @Test
    void aShortCallToAnEndpointThatNeverAnswersFailsWithinTheAttemptAndCallLimits() {
        clients().run(context -> {
            assertFailsWithin(Duration.ofMillis(500), Duration.ofMillis(3500),
                    () -> context.getBean(SqsClient.class).listQueues());
            assertFailsWithin(Duration.ofMillis(500), Duration.ofMillis(3500),
                    () -> context.getBean(DynamoDbClient.class).describeTable(r -> r.tableName("reelroute-jobs")));
            assertFailsWithin(Duration.ofMillis(500), Duration.ofMillis(3500),
                    () -> context.getBean(S3Client.class).headObject(r -> r.bucket("reelroute-input").key("input/x/source.mp4")));
        });
    }

    @Test
    void anS3TransferHasTheTransferLimitInstead(@TempDir Path dir) {
        clients().run(context -> assertFailsWithin(Duration.ofMillis(3800), Duration.ofMillis(6000),
                () -> context.getBean(S3Client.class).getObject(r -> r.bucket("reelroute-input").key("input/x/source.mp4"),
                        dir.resolve("source.mp4"))));
    }

    private static void assertFailsWithin(Duration atLeast, Duration atMost, Executable call) {
        long started = System.nanoTime();
        assertThatThrownBy(call::execute).isInstanceOf(SdkClientException.class);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).isBetween(atLeast, atMost);
    }

    /** The embedded default's beans, every emulator endpoint the silent server. */
    @Configuration(proxyBeanMethods = false)
    static class Silent {

        @Bean
        AwsEndpoints awsEndpoints(URI silent) {
            return new AwsEndpoints(silent, silent, silent, true);
        }

        @Bean
        AwsCredentialsProvider awsCredentialsProvider() {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create("reelroute", "reelroute"));
        }
    }
}
