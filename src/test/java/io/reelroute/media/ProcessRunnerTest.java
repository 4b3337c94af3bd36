package io.reelroute.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How ProcessRunner starts a program: what it leaves out of the program's environment. */
class ProcessRunnerTest {

    static final Map<String, String> PARENT = Map.ofEntries(
            Map.entry("PATH", "/usr/bin:/bin"), Map.entry("HOME", "/app"), Map.entry("LD_LIBRARY_PATH", "/opt/lib"),
            Map.entry("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"), Map.entry("AWS_SECRET_ACCESS_KEY", "secret"),
            Map.entry("AWS_SESSION_TOKEN", "token"),
            Map.entry("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"),
            Map.entry("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials"),
            Map.entry("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"),
            Map.entry("REELROUTE_WEBHOOKS_SECRET", "hmac"),
            Map.entry("SPRING_APPLICATION_JSON", "{\"reelroute.api.page-token-key\":\"k\"}"),
            Map.entry("reelroute_api_page_token_key", "k"));

    @Test
    void aProgramGetsTheEnvironmentWithoutAwsCredentialsOrTheProcessSettings() {
        assertThat(new ProcessRunner.Environment(PARENT, Set.of()).child())
                .containsOnlyKeys("PATH", "HOME", "LD_LIBRARY_PATH");
    }

    @Test
    void namesKeptPassAllTheSame() {
        assertThat(new ProcessRunner.Environment(PARENT, Set.of("AWS_WEB_IDENTITY_TOKEN_FILE")).child())
                .containsOnlyKeys("PATH", "HOME", "LD_LIBRARY_PATH", "AWS_WEB_IDENTITY_TOKEN_FILE");
    }

    @Test
    void theProgramRunsWithThatEnvironment(@TempDir Path dir) throws IOException {
        Map<String, String> parent = new HashMap<>(System.getenv());
        parent.putAll(PARENT);
        parent.put("PATH", System.getenv("PATH"));
        Path log = dir.resolve("env.log");

        ProcessRunner.Result result = ProcessRunner.run(List.of("env"), Duration.ofSeconds(10), log,
                new ProcessRunner.Environment(parent, Set.of()));

        assertThat(result.succeeded()).isTrue();
        assertThat(Files.readAllLines(log)).contains("HOME=/app")
                .noneMatch(line -> line.startsWith("AWS_") || line.toUpperCase().startsWith("REELROUTE_") || line.startsWith("SPRING_"));
    }
}
