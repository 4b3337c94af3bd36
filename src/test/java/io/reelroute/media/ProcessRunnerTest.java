package io.reelroute.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How ProcessRunner starts a program: that it dies with its parent, and what it leaves out of its environment. */
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
    void aWatchIsCalledWhileTheProgramRuns(@TempDir Path dir) throws Exception {
        AtomicInteger polls = new AtomicInteger();

        ProcessRunner.Result result = ProcessRunner.run("sleep", List.of("1"), Duration.ofSeconds(30), dir.resolve("log"),
                polls::incrementAndGet);

        assertThat(result.succeeded()).isTrue();
        assertThat(polls.get()).as("polls every %s during a 1 s run", ProcessRunner.WATCH_INTERVAL).isBetween(3, 11);
    }

    @Test
    void aWatchThatFailsStopsTheProgramAndFailsTheRun(@TempDir Path dir) {
        long started = System.nanoTime();

        assertThatThrownBy(() -> ProcessRunner.run("sleep", List.of("60"), Duration.ofSeconds(90), dir.resolve("log"), () -> {
            throw new IOException("an upload failed");
        })).isInstanceOf(IOException.class).hasMessage("an upload failed");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

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

    /**
     * A program started as ProcessRunner starts it dies with its parent: a shell starts one in the background and
     * exits (as this process would at kill -9), and the program is gone within a few seconds instead of running on.
     */
    @Test
    void aProgramDiesWithTheProcessThatStartedIt() throws Exception {
        List<String> sleeper = ProcessRunner.launched(List.of("sleep", "100"));
        assumeTrue(ProcessRunner.onPath("setpriv") != null, "setpriv (util-linux) is not on this machine's PATH");
        Process parent = new ProcessBuilder("sh", "-c", String.join(" ", sleeper) + " & echo $!; read _")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long pid = Long.parseLong(new BufferedReader(new InputStreamReader(parent.getInputStream())).readLine().strip());
        try {
            // Once the program is sleep, setpriv has set the signal and run it.
            await().atMost(Duration.ofSeconds(5)).until(() -> "sleep".equals(comm(pid)));
            parent.getOutputStream().close();
            assertThat(parent.waitFor(5, TimeUnit.SECONDS)).isTrue();

            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> !running(pid));
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            parent.destroyForcibly();
        }
    }

    @Test
    void theSettingTurnsItOff() {
        try {
            ProcessRunner.dieWithParent(false);
            assertThat(ProcessRunner.launched(List.of("ffmpeg", "-version"))).containsExactly("ffmpeg", "-version");
        } finally {
            ProcessRunner.dieWithParent(true);
        }
        assumeTrue(ProcessRunner.onPath("setpriv") != null, "setpriv (util-linux) is not on this machine's PATH");
        assertThat(ProcessRunner.launched(List.of("ffmpeg", "-version")))
                .containsExactly(ProcessRunner.onPath("setpriv"), "--pdeathsig", "KILL", "--", "ffmpeg", "-version");
    }

    /** The program's name (its comm), or null when there is no such process. */
    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException gone) {
            return null;
        }
    }

    /** Whether the process exists and is not a zombie waiting to be reaped. */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException gone) {
            return false;
        }
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
