package io.reelroute.inference;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.SegmentKey;
import io.reelroute.testing.TestParams;
import io.reelroute.embedded.EmbeddedAws;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the remote-backend tests share: S3 (S3Mock, through {@link EmbeddedAws}) with an input and an output
 * bucket, a stand-in model that copies a segment the way a real one writes its output, and an HTTP server on
 * 127.0.0.1 that plays the AWS service in front of the model.
 */
final class RemoteModelSupport implements AutoCloseable {

    static final String INPUT_BUCKET = "reelroute-input";
    static final String OUTPUT_BUCKET = "reelroute-output";
    static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("reelroute", "reelroute"));
    static final ObjectMapper MAPPER = new ObjectMapper();

    final EmbeddedAws aws;
    final S3Client s3;
    private final ExecutorService handlers = Executors.newCachedThreadPool(daemon());
    private HttpServer server;

    RemoteModelSupport() {
        aws = EmbeddedAws.start(new EmbeddedAws.Settings(null, 0, 0, 0, "us-east-1"));
        s3 = S3Client.builder().endpointOverride(aws.s3Endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS).forcePathStyle(true).build();
        s3.createBucket(r -> r.bucket(INPUT_BUCKET));
        s3.createBucket(r -> r.bucket(OUTPUT_BUCKET));
    }

    /** Starts the service stand-in on a free loopback port; returns its endpoint. */
    URI serve(HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/", handler);
        server.setExecutor(handlers);
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** A new job's segment 2 whose input object holds {@code bytes}. */
    SegmentWork segment(Path workDir, Duration timeout, String bytes) {
        SegmentKey segment = new SegmentKey(JobIds.newId(), 2, Mode.SBS);
        s3.putObject(r -> r.bucket(INPUT_BUCKET).key(segment.key()), RequestBody.fromString(bytes));
        return new SegmentWork(segment, TestParams.stereo("{}"), INPUT_BUCKET, OUTPUT_BUCKET, OutputKeys.segment(segment.jobId(), segment.index()),
                workDir, timeout);
    }

    /** The model's work on a request document: the input object, copied to {@code s3_output_uri}. */
    void runModel(Map<String, ?> request) {
        Location input = Location.parse((String) request.get("s3_input_uri"));
        Location output = Location.parse((String) request.get("s3_output_uri"));
        byte[] bytes = s3.getObjectAsBytes(r -> r.bucket(input.bucket()).key(input.key())).asByteArray();
        s3.putObject(r -> r.bucket(output.bucket()).key(output.key()).contentType("video/mp4"), RequestBody.fromBytes(bytes));
    }

    String read(String bucket, String key) {
        return s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asUtf8String();
    }

    boolean exists(String bucket, String key) {
        try {
            s3.headObject(r -> r.bucket(bucket).key(key));
            return true;
        } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException missing) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String text) throws IOException {
        return MAPPER.readValue(text, Map.class);
    }

    static String body(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static void answer(HttpExchange exchange, int status, Map<String, String> headers, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        handlers.shutdownNow();
        s3.close();
        aws.close();
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return runnable -> {
            Thread thread = new Thread(runnable, "service-stand-in");
            thread.setDaemon(true);
            return thread;
        };
    }

    record Location(String bucket, String key) {

        static Location parse(String uri) {
            int slash = uri.indexOf('/', "s3://".length());
            return new Location(uri.substring("s3://".length(), slash), uri.substring(slash + 1));
        }

        @Override
        public String toString() {
            return "s3://" + bucket + "/" + key;
        }
    }
}
