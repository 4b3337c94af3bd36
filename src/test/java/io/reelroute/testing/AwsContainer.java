package io.reelroute.testing;

import java.net.URI;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * An AWS emulator in a container, through Testcontainers: LocalStack when {@code LOCALSTACK_AUTH_TOKEN} is
 * set (it requires one), otherwise Floci, a free drop-in with the same port and wire protocol. Tests that
 * use it are skipped, saying so, where no Docker engine runs.
 */
public final class AwsContainer implements BeforeAllCallback, ExecutionCondition {

    static final String LOCALSTACK_IMAGE = "localstack/localstack:4.10";
    static final String FLOCI_IMAGE = "floci/floci:1.5.11";
    private static final int EDGE_PORT = 4566;

    private GenericContainer<?> container;

    static final String SKIPPED = "No Docker engine: the LocalStack/Floci route tests are skipped (they run where Docker does)";

    /** Disables the test class, with the reason in the build output, where the emulator can't run. */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (dockerAvailable()) {
            return ConditionEvaluationResult.enabled("available");
        }
        System.out.println("[SKIPPED] " + context.getDisplayName() + ": " + SKIPPED);
        return ConditionEvaluationResult.disabled(SKIPPED);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        String token = System.getenv("LOCALSTACK_AUTH_TOKEN");
        boolean localstack = token != null && !token.isBlank();
        container = new GenericContainer<>(DockerImageName.parse(localstack ? LOCALSTACK_IMAGE : FLOCI_IMAGE))
                .withExposedPorts(EDGE_PORT)
                .waitingFor(Wait.forListeningPort());
        if (localstack) {
            container.withEnv("LOCALSTACK_AUTH_TOKEN", token).withEnv("SERVICES", "s3,sqs,dynamodb");
        }
        container.start();
        // Stopped when the whole test run ends, after the Spring context that talks to it has closed.
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .put(this, (ExtensionContext.Store.CloseableResource) container::stop);
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
    }

    public URI endpoint() {
        return URI.create("http://" + container.getHost() + ":" + container.getMappedPort(EDGE_PORT));
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
