package io.reelroute.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@code moto_server} on a free loopback port for one test class: one endpoint for S3, SQS, DynamoDB and
 * more, with real S3 to SQS notifications. Tests that use it are skipped, saying so, where it is not on
 * the PATH.
 */
public final class MotoServer implements BeforeAllCallback, ExecutionCondition {

    private Process process;
    private URI endpoint;
    private Path log;

    public static boolean installed() {
        return Executables.onPath("moto_server").isPresent();
    }

    static final String SKIPPED = "moto_server is not on the PATH: the moto route tests are skipped";

    /** Disables the test class, with the reason in the build output, where the emulator can't run. */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (installed()) {
            return ConditionEvaluationResult.enabled("available");
        }
        System.out.println("[SKIPPED] " + context.getDisplayName() + ": " + SKIPPED);
        return ConditionEvaluationResult.disabled(SKIPPED);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        // A free port picked here can be taken before moto_server binds it: try another one then.
        for (int attempt = 1; !start(); attempt++) {
            if (attempt == 3) {
                throw new IllegalStateException("moto_server did not start: " + Files.readString(log));
            }
        }
        // Stopped when the whole test run ends, after the Spring context that talks to it has closed.
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .put(this, (ExtensionContext.Store.CloseableResource) this::stop);
        // The SDK's default credential chain reads these; moto accepts any.
        System.setProperty("aws.accessKeyId", "testing");
        System.setProperty("aws.secretAccessKey", "testing");
    }

    /** Starts moto_server on a free port; false if it exited before it answered. */
    private boolean start() throws IOException, InterruptedException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        log = Files.createTempFile("moto-", ".log");
        process = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        endpoint = URI.create("http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!answers(endpoint)) {
            if (!process.isAlive()) {
                return false;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("moto_server did not answer in 30 s: " + Files.readString(log));
            }
            Thread.sleep(200);
        }
        return true;
    }

    private void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    private static boolean answers(URI endpoint) {
        try {
            HttpURLConnection connection = (HttpURLConnection) endpoint.resolve("/moto-api/").toURL().openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout(2000);
            int status = connection.getResponseCode();
            connection.disconnect();
            return status > 0;
        } catch (IOException notYet) {
            return false;
        }
    }
}
