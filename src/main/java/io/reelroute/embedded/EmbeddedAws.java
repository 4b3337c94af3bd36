package io.reelroute.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.elasticmq.server.ElasticMQServer;
import org.elasticmq.server.config.ElasticMQServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.adobe.testing.s3mock.S3MockApplication;
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.typesafe.config.ConfigFactory;

/**
 * Real-protocol AWS emulators in this process, on loopback: SQS (ElasticMQ), DynamoDB (DynamoDB Local) and
 * S3 (S3Mock). With a data folder their state survives a restart: ElasticMQ keeps queues and messages (in-flight
 * ones too) in an H2 file, DynamoDB Local a shared sqlite file, S3Mock its object store.
 */
public final class EmbeddedAws implements AutoCloseable {

    /** {@code dataDir} null keeps nothing; a port of 0 picks a free one. */
    public record Settings(Path dataDir, int s3Port, int sqsPort, int dynamoDbPort, String region) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedAws.class);
    private static final String HOST = "127.0.0.1";
    static final String ACCOUNT_ID = "000000000000";

    private final String region;
    private final Path dataDir;
    private final boolean temporary;
    private final List<AutoCloseable> running = new ArrayList<>();
    private URI s3;
    private URI sqs;
    private URI dynamoDb;

    private EmbeddedAws(Settings settings) {
        this.region = settings.region();
        this.temporary = settings.dataDir() == null;
        try {
            this.dataDir = temporary ? Files.createTempDirectory("reelroute-aws-") : Files.createDirectories(settings.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("can't create the emulators' data folder", e);
        }
    }

    public static EmbeddedAws start(Settings settings) {
        EmbeddedAws aws = new EmbeddedAws(settings);
        try {
            aws.startSqs(port(settings.sqsPort(), "SQS", "reelroute.embedded.sqs-port"));
            aws.startDynamoDb(port(settings.dynamoDbPort(), "DynamoDB", "reelroute.embedded.dynamodb-port"));
            aws.startS3(port(settings.s3Port(), "S3", "reelroute.embedded.s3-port"));
            return aws;
        } catch (RuntimeException e) {
            aws.close();
            throw e;
        }
    }

    public URI s3Endpoint() {
        return s3;
    }

    public URI sqsEndpoint() {
        return sqs;
    }

    public URI dynamoDbEndpoint() {
        return dynamoDb;
    }

    public String region() {
        return region;
    }

    private void startSqs(int port) {
        long started = System.nanoTime();
        Map<String, Object> config = new HashMap<>();
        config.put("node-address.host", HOST);
        config.put("node-address.port", port);
        config.put("rest-sqs.bind-hostname", HOST);
        config.put("rest-sqs.bind-port", port);
        config.put("aws.region", region);
        config.put("aws.accountId", ACCOUNT_ID);
        config.put("queues-storage.enabled", true);
        config.put("queues-storage.path", dataDir.resolve("sqs-queues.conf").toString());
        config.put("messages-storage.enabled", true);
        config.put("messages-storage.uri", "jdbc:h2:" + dataDir.resolve("sqs-messages").toAbsolutePath());
        ElasticMQServer server = new ElasticMQServer(new ElasticMQServerConfig(
                ConfigFactory.parseMap(config).withFallback(ConfigFactory.load()).resolve()));
        scala.Function0<?> shutdown = server.start();
        running.add(shutdown::apply);
        sqs = URI.create("http://" + HOST + ":" + port);
        LOG.info("SQS (ElasticMQ) on {} in {} ms", sqs, millisSince(started));
    }

    private void startDynamoDb(int port) {
        long started = System.nanoTime();
        Path folder = dataDir.resolve("dynamodb");
        try {
            Files.createDirectories(folder);
            DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(new String[] {
                "-port", Integer.toString(port), "-dbPath", folder.toString(), "-sharedDb", "-disableTelemetry"});
            server.start();
            running.add(server::stop);
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not start on port " + port + ": " + e.getMessage(), e);
        }
        dynamoDb = URI.create("http://" + HOST + ":" + port);
        LOG.info("DynamoDB (DynamoDB Local) on {} in {} ms", dynamoDb, millisSince(started));
    }

    private void startS3(int port) {
        long started = System.nanoTime();
        Map<String, Object> properties = new HashMap<>(); // S3Mock writes into this map
        properties.put(S3MockApplication.PROP_HTTP_PORT, port);
        properties.put(S3MockApplication.PROP_HTTPS_PORT, 0);
        properties.put(S3MockApplication.PROP_ROOT_DIRECTORY, dataDir.resolve("s3").toString());
        properties.put("com.adobe.testing.s3mock.store.retainFilesOnExit", true);
        properties.put("com.adobe.testing.s3mock.store.region", region);
        properties.put("com.adobe.testing.s3mock.region", region);
        properties.put("server.address", HOST);
        // S3Mock is a Spring Boot application of its own: keep it away from ReelRoute's configuration
        // and auto-configuration, and give it the settings its own application.properties would have.
        properties.put("spring.config.name", "reelroute-s3mock-has-no-config-file");
        properties.put("spring.autoconfigure.exclude", String.join(",", CAMEL_AUTO_CONFIGURATIONS));
        properties.put("spring.jmx.enabled", false);
        properties.put("spring.main.lazy-initialization", true);
        properties.put("spring.main.banner-mode", "off");
        properties.put("server.tomcat.max-swallow-size", "10MB");
        properties.put("management.endpoints.web.discovery.enabled", false);
        properties.put("management.endpoints.web.exposure.exclude", "*");
        properties.put("logging.level.org.springframework.web.servlet.mvc.method.annotation.ExceptionHandlerExceptionResolver", "ERROR");
        S3MockApplication server = S3MockApplication.start(properties);
        running.add(server::stop);
        s3 = URI.create("http://" + HOST + ":" + server.getHttpPort());
        LOG.info("S3 (S3Mock) on {} in {} ms", s3, millisSince(started));
    }

    /** Camel's Spring Boot auto-configurations; without excluding them S3Mock would start a second CamelContext. */
    private static final List<String> CAMEL_AUTO_CONFIGURATIONS = List.of(
            "org.apache.camel.spring.boot.CamelAutoConfiguration",
            "org.apache.camel.spring.boot.actuate.health.CamelHealthCheckAutoConfiguration",
            "org.apache.camel.spring.boot.actuate.endpoint.CamelRoutesEndpointAutoConfiguration",
            "org.apache.camel.spring.boot.actuate.console.CamelDevConsoleAutoConfiguration",
            "org.apache.camel.component.micrometer.springboot.MicrometerTagsAutoConfiguration",
            "org.apache.camel.component.micrometer.springboot.metrics.CamelMetricsAutoConfiguration");

    @Override
    public synchronized void close() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                LOG.debug("Stopping an emulator failed: {}", e.getMessage());
            }
        }
        running.clear();
        if (temporary) {
            deleteQuietly(dataDir);
        }
    }

    private static int port(int requested, String service, String setting) {
        if (requested == 0) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try (ServerSocket socket = new ServerSocket(requested, 1, InetAddress.getByName(HOST))) {
            return requested;
        } catch (IOException inUse) {
            throw new IllegalStateException("port " + requested + " for " + service + " is in use: set " + setting
                    + " to a free port (0 picks one)", inUse);
        }
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }

    private static void deleteQuietly(Path folder) {
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a temporary folder; the OS cleans it up eventually
        }
    }
}
