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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real-protocol AWS emulators in this process, listening on 127.0.0.1 only: SQS (ElasticMQ), DynamoDB
 * (DynamoDB Local) and S3 (S3Mock). They start in parallel. With a data folder their state survives a
 * restart: ElasticMQ keeps queues and messages (in-flight ones too) in an H2 file under {@code sqs/},
 * DynamoDB Local one shared sqlite file under {@code dynamodb/}, S3Mock its object store under {@code s3/}.
 * Without one, SQS and DynamoDB keep everything in memory and S3Mock works in a temporary folder that
 * {@link #close()} deletes.
 */
public final class EmbeddedAws implements AutoCloseable {

    /** {@code dataDir} null keeps nothing; a port of 0 picks a free one. A null or blank region means us-east-1. */
    public record Settings(Path dataDir, int s3Port, int sqsPort, int dynamoDbPort, String region) {
    }

    static final String HOST = "127.0.0.1";
    static final String ACCOUNT_ID = "000000000000";
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedAws.class);

    private final String region;
    private final Path scratch;
    private final S3MockWrites writes = new S3MockWrites();
    private final List<Emulator> running = new ArrayList<>();
    private boolean closed;

    private EmbeddedAws(String region, Path scratch) {
        this.region = region;
        this.scratch = scratch;
    }

    public static EmbeddedAws start(Settings settings) {
        long started = System.nanoTime();
        String region = settings.region() == null || settings.region().isBlank() ? "us-east-1" : settings.region();
        Path dataDir = settings.dataDir() == null ? null : settings.dataDir().toAbsolutePath();
        // Ports first, so a taken one is reported with the setting to change before anything starts.
        int sqsPort = port(settings.sqsPort(), "SQS", "reelroute.embedded.sqs-port");
        int dynamoDbPort = port(settings.dynamoDbPort(), "DynamoDB", "reelroute.embedded.dynamodb-port");
        int s3Port = settings.s3Port() == 0 ? 0 : port(settings.s3Port(), "S3", "reelroute.embedded.s3-port");

        Path scratch = dataDir == null ? createTempDirectory() : null;
        EmbeddedAws aws = new EmbeddedAws(region, scratch);
        List<CompletableFuture<Emulator>> starting = List.of(
                inThread("sqs", () -> ElasticMq.start(sqsPort, region, dataDir == null ? null : dataDir.resolve("sqs"))),
                inThread("dynamodb", () -> DynamoDbLocal.start(dynamoDbPort, dataDir == null ? null : dataDir.resolve("dynamodb"))),
                inThread("s3", () -> S3Mock.start(s3Port, region, dataDir == null ? scratch.resolve("s3") : dataDir.resolve("s3"),
                        dataDir != null, aws.writes)));
        RuntimeException failure = null;
        for (CompletableFuture<Emulator> emulator : starting) {
            try {
                aws.running.add(emulator.join());
            } catch (CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            }
        }
        if (failure != null) {
            aws.close();
            throw failure;
        }
        LOG.info("AWS emulators started in {} ms ({})", millisSince(started),
                dataDir == null ? "nothing is kept" : "state kept under " + dataDir);
        return aws;
    }

    public URI s3Endpoint() {
        return endpoint(S3Mock.NAME);
    }

    public URI sqsEndpoint() {
        return endpoint(ElasticMq.NAME);
    }

    public URI dynamoDbEndpoint() {
        return endpoint(DynamoDbLocal.NAME);
    }

    /**
     * Tells {@code listener} the bucket and key of each object S3 writes from now on (a put, a copy or a completed
     * multipart upload), in the thread that served the write; what it throws is logged, never the writer's problem.
     */
    public void onObjectWritten(BiConsumer<String, String> listener) {
        writes.listen(listener);
    }

    public String region() {
        return region;
    }

    /** Stops all three (the last started first); a second call does nothing. Never throws. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long started = System.nanoTime();
        for (int i = running.size() - 1; i >= 0; i--) {
            Emulator emulator = running.get(i);
            try {
                emulator.stop().close();
            } catch (Exception | LinkageError e) {
                LOG.warn("Stopping {} failed: {}", emulator.name(), e.toString());
            }
        }
        if (scratch != null) {
            deleteQuietly(scratch);
        }
        if (!running.isEmpty()) {
            LOG.info("AWS emulators stopped in {} ms", millisSince(started));
        }
    }

    private synchronized URI endpoint(String name) {
        return running.stream().filter(e -> e.name().equals(name)).findFirst().map(Emulator::endpoint)
                .orElseThrow(() -> new IllegalStateException(name + " is not running"));
    }

    /** One running emulator: what {@link #close()} calls to stop it. */
    record Emulator(String name, URI endpoint, AutoCloseable stop) {

        static URI endpoint(int port) {
            return URI.create("http://" + HOST + ":" + port);
        }
    }

    /** Each emulator starts in a thread of its own; the thread ends once it has started. */
    private static CompletableFuture<Emulator> inThread(String name, Supplier<Emulator> start) {
        CompletableFuture<Emulator> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            long started = System.nanoTime();
            try {
                Emulator emulator = start.get();
                LOG.info("{} on {} in {} ms", emulator.name(), emulator.endpoint(), millisSince(started));
                result.complete(emulator);
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "embedded-aws-" + name);
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    /** The port to start on: the requested one if it is free, else a free one for 0. */
    private static int port(int requested, String service, String setting) {
        try (ServerSocket socket = new ServerSocket(requested, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException inUse) {
            throw new IllegalStateException("port " + requested + " for " + service + " is in use: set " + setting
                    + " to a free port (0 picks one)", inUse);
        }
    }

    private static Path createTempDirectory() {
        try {
            return Files.createTempDirectory("reelroute-aws-");
        } catch (IOException e) {
            throw new UncheckedIOException("can't create a temporary folder for the emulators", e);
        }
    }

    static long millisSince(long started) {
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
