package io.reelroute.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.reelroute.contract.Mode;
import io.reelroute.contract.SegmentKey;
import io.reelroute.media.FileProbe;
import io.reelroute.media.MediaCommands;
import io.reelroute.media.MediaTools;
import io.reelroute.media.ProcessRunner;
import io.reelroute.media.WorkFolders;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A model server speaking the SageMaker container contract ({@code GET /ping}, {@code POST /invocations}
 * with {@code s3_input_uri}, {@code s3_output_uri}, {@code mode} and {@code params}); it behaves per job as told
 * and counts the invocations of each segment. Its model is the CPU stereo preview, run with ffmpeg on the
 * segment it reads from S3, so its output passes the check of a model's output.
 */
public final class ModelServer implements AutoCloseable {

    /** What the model server does with a job's segments. */
    public enum Behaviour {
        /** Makes the stereo output of the request's params (the CPU preview) and answers 200 with JSON. */
        WORKS,
        /** Never answers (until released). */
        HANG,
        /** 500 on the first two requests for a segment, then works. */
        FAIL_TWICE,
        /** 200 with an HTML page, and no output written. */
        NOT_JSON_AND_NO_OUTPUT,
        /** Writes bytes that are not a video as the output, and answers 200 with JSON. */
        NOT_A_VIDEO
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Where the model reads and writes: set it before the first invocation. */
    public volatile S3Client s3;
    private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> invocations = new ConcurrentHashMap<>();
    private volatile CountDownLatch hanging = new CountDownLatch(1);
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "model-server");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpServer server;

    public ModelServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/ping", exchange -> reply(exchange, 200, ""));
        server.createContext("/invocations", this::invoke);
        server.setExecutor(threads);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void behave(String jobId, Behaviour behaviour) {
        behaviours.put(jobId, behaviour);
    }

    /** Invocations of segments 0 .. total-1 of the job's sbs segments, in order. */
    public List<Integer> attempts(String jobId, int total) {
        return java.util.stream.IntStream.range(0, total)
                .mapToObj(i -> invocations.getOrDefault(new SegmentKey(jobId, i, Mode.SBS).key(), new AtomicInteger()).get())
                .toList();
    }

    public void releaseHangingRequests() {
        hanging.countDown();
        hanging = new CountDownLatch(1);
    }

    private void invoke(HttpExchange exchange) throws IOException {
        JsonNode request;
        try (InputStream in = exchange.getRequestBody()) {
            request = MAPPER.readTree(in);
        }
        URI input = URI.create(request.get("s3_input_uri").asText());
        URI output = URI.create(request.get("s3_output_uri").asText());
        String inputKey = input.getPath().substring(1);
        String jobId = inputKey.split("/")[1];
        int attempt = invocations.computeIfAbsent(inputKey, k -> new AtomicInteger()).incrementAndGet();
        switch (behaviours.getOrDefault(jobId, Behaviour.WORKS)) {
            case HANG -> {
                try {
                    hanging.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
            }
            case FAIL_TWICE -> {
                if (attempt <= 2) {
                    reply(exchange, 500, "{\"error\":\"CUDA error: an illegal memory access was encountered\"}");
                } else {
                    stereo(input, output, request.path("params"));
                    reply(exchange, 200, "{\"status\":\"ok\"}");
                }
            }
            case NOT_JSON_AND_NO_OUTPUT -> reply(exchange, 200, "<html><body>Service Temporarily OK</body></html>");
            case NOT_A_VIDEO -> {
                s3.putObject(r -> r.bucket(output.getHost()).key(output.getPath().substring(1)),
                        RequestBody.fromString("this is not a video"));
                reply(exchange, 200, "{\"status\":\"ok\"}");
            }
            case WORKS -> {
                stereo(input, output, request.path("params"));
                reply(exchange, 200, "{\"status\":\"ok\"}");
            }
        }
    }

    /** The model's work: the CPU stereo preview of the input, with the request's params. */
    private void stereo(URI input, URI output, JsonNode params) throws IOException {
        Path dir = Files.createTempDirectory("reelroute-model-");
        try {
            Path in = dir.resolve("input.mp4");
            Path out = dir.resolve("output.mp4");
            s3.getObject(r -> r.bucket(input.getHost()).key(input.getPath().substring(1)), in);
            MediaTools tools = MediaTools.bundled();
            ProcessRunner.Result result = ProcessRunner.run(tools.ffmpeg(), MediaCommands.stereoPreview(in, out,
                    TestParams.stereo(params.isObject() ? params.toString() : "{}"),
                    new FileProbe(tools, Duration.ofMinutes(1), MAPPER).probe(in)),
                    Duration.ofMinutes(2), dir.resolve("model.log"));
            if (!result.succeeded()) {
                throw new IOException("the stand-in model failed: " + result.tail());
            }
            s3.putObject(r -> r.bucket(output.getHost()).key(output.getPath().substring(1)).contentType("video/mp4"),
                    RequestBody.fromFile(out));
        } finally {
            WorkFolders.remove(dir);
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        hanging.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
