package io.reelroute.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.springframework.util.FileSystemUtils;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.reelroute.deploy.RenderedOverlay;
import io.reelroute.testing.AwsCompatibleEndpoint;
import io.reelroute.testing.MotoServer;

/**
 * P5: how long each Kubernetes role's process of the production artifact takes from {@code java -jar} until
 * {@code /readyz} answers 200, plain and with a class-data-sharing archive built as deploy/Dockerfile builds it.
 * Not part of {@code ./mvnw verify}; build the artifact the image runs, then run:
 * <pre>./mvnw test -Dtest=StartupBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dbench.jar=PATH [-Dbench.runs=3]</pre>
 * Each role runs with the environment its prod Deployment gives the container, the settings files the pods
 * mount (k8s/base/application.properties and the prod overlay's), and the image's JAVA_TOOL_OPTIONS, against
 * moto_server (its queues, tables and buckets made first), on free ports. Two kinds of start: the jar itself, which
 * extracts the bundled ffmpeg into an empty JavaCPP cache first, and the image's: the jar extracted with
 * {@code -Djarmode=tools}, one training run ({@link #TRAINING}, the Dockerfile's), each start with
 * {@code -XX:SharedArchiveFile}, and ffmpeg unpacked beforehand as the image build does ({@link #FFMPEG_ENTRIES}).
 * Prints the median of the runs per role and the ratio.
 */
public class StartupBenchmark {

    @RegisterExtension
    static final MotoServer MOTO = new MotoServer();

    private static final int RUNS = Integer.getInteger("bench.runs", 3);
    private static final Duration PATIENCE = Duration.ofMinutes(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** The image's JAVA_TOOL_OPTIONS. */
    private static final String TOOL_OPTIONS = "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError";
    /** Where the bundled ffmpeg's executables and libraries are in its linux-x86_64 jar; deploy/Dockerfile unpacks them. */
    public static final String FFMPEG_ENTRIES = "org/bytedeco/ffmpeg/linux-x86_64-gpl/";
    /**
     * deploy/Dockerfile's training run, which DockerfileTest holds it to: the context is refreshed and the JVM writes
     * the classes it loaded at exit. The image is built where no AWS is reachable, and the beans that reach it
     * (queue URLs, the aws health check) are made at refresh, so the run is lazy and skips the health groups' check.
     */
    public static final List<String> TRAINING = List.of("-XX:ArchiveClassesAtExit=reelroute.jsa", "-Dspring.context.exit=onRefresh",
            "-Dspring.main.lazy-initialization=true", "-Dmanagement.endpoint.health.validate-group-membership=false",
            "-Dreelroute.mode=aws");

    @Test
    void startToReady() throws Exception {
        Path jar = Path.of(System.getProperty("bench.jar", "target/reelroute.jar")).toAbsolutePath();
        assertThat(jar).as("the production artifact: ./mvnw -Dproduction -Dmaven.test.skip=true package in a copy of "
                + "the repository, then -Dbench.jar=its target/reelroute-*.jar").exists();
        RenderedOverlay prod = RenderedOverlay.render(RenderedOverlay.kubectlOrSkip("StartupBenchmark"), "prod");
        AwsCompatibleEndpoint.provision(MOTO.endpoint());
        Path dir = Files.createTempDirectory(Path.of("target"), "bench-startup-").toAbsolutePath();

        Path extracted = dir.resolve("app");
        Path archive = extracted.resolve("reelroute.jsa");
        java(dir, dir.resolve("extract.log"), Map.of(), "-Djarmode=tools", "-jar", jar.toString(), "extract",
                "--destination", extracted.toString(), "--application-filename", "reelroute.jar");
        Path ffmpeg = unpackFfmpeg(extracted.resolve("lib"), dir.resolve("ffmpeg"));
        List<String> training = new ArrayList<>(TRAINING.stream().map(a -> a.replace("reelroute.jsa", archive.toString())).toList());
        training.addAll(List.of("-jar", extracted.resolve("reelroute.jar").toString()));
        long trainingStarted = System.nanoTime();
        java(dir, dir.resolve("training.log"), imageEnvironment(dir, "training", ffmpeg), training.toArray(String[]::new));
        double trainingSeconds = (System.nanoTime() - trainingStarted) / 1e9;
        assertThat(archive).exists();

        Map<String, double[][]> results = new LinkedHashMap<>();
        Map<String, String> started = new LinkedHashMap<>();
        for (Deployment deployment : prod.all(Deployment.class)) {
            String role = deployment.getMetadata().getLabels().get("app.kubernetes.io/component");
            Map<String, String> environment = new LinkedHashMap<>(prod.containerEnvironment(deployment));
            double[][] seconds = new double[2][RUNS];
            for (int run = 0; run < RUNS; run++) {
                String plain = role + "-plain-" + run;
                seconds[0][run] = startToReady(dir, plain, jarEnvironment(dir, plain), environment, "-jar", jar.toString());
                String image = role + "-image-" + run;
                seconds[1][run] = startToReady(dir, image, imageEnvironment(dir, image, ffmpeg), environment,
                        "-XX:SharedArchiveFile=" + archive, "-jar", extracted.resolve("reelroute.jar").toString());
                // Spring Boot's own account of the start: the rest until /readyz is readiness's checks.
                started.put(role, Files.readAllLines(dir.resolve(image + ".log")).stream().filter(l -> l.contains(" Started ") && l.contains("(process running for"))
                        .map(l -> l.substring(l.indexOf(" Started ") + 1)).findFirst().orElse("no Started line"));
            }
            results.put(role, seconds);
        }

        System.out.println();
        System.out.println("=== Start to ready per role, production artifact on moto (" + Runtime.getRuntime().availableProcessors()
                + " cores, median of " + RUNS + ") ===");
        System.out.printf("archive: %d MiB, training run %.1f s%n", Files.size(archive) >> 20, trainingSeconds);
        results.forEach((role, seconds) -> System.out.printf("%s: jar %.2f s %s, image (CDS, ffmpeg unpacked) %.2f s %s, ratio %.2f%n", role,
                median(seconds[0]), rounded(seconds[0]), median(seconds[1]), rounded(seconds[1]), median(seconds[1]) / median(seconds[0])));
        started.forEach((role, line) -> System.out.printf("%s, image, last start: %s%n", role, line));
        System.out.println();
        FileSystemUtils.deleteRecursively(dir);
    }

    /** Seconds from launching the process until /readyz answers 200; the process is then killed. */
    private static double startToReady(Path dir, String name, Map<String, String> image, Map<String, String> environment,
            String... launch) throws Exception {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(javaExecutable()));
        command.addAll(List.of(launch));
        command.addAll(List.of(
                // The settings the pods mount at /app/config.
                "--spring.config.additional-location=file:" + Path.of("k8s", "base", "application.properties").toAbsolutePath()
                        + ",file:" + Path.of("k8s", "overlays", "prod", "overlay.properties").toAbsolutePath(),
                "--server.port=" + port,
                "--management.server.port=" + freePort(),
                "--reelroute.aws.endpoint=" + MOTO.endpoint()));
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(image);
        builder.environment().putAll(environment);
        builder.environment().put("AWS_ACCESS_KEY_ID", "testing");
        builder.environment().put("AWS_SECRET_ACCESS_KEY", "testing");
        HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).timeout(Duration.ofSeconds(2)).build();
        long started = System.nanoTime();
        Process process = builder.start();
        try {
            while (System.nanoTime() - started < PATIENCE.toNanos()) {
                if (!process.isAlive()) {
                    throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + tail(log));
                }
                try {
                    if (HTTP.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return (System.nanoTime() - started) / 1e9;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(50);
            }
            throw new AssertionError(name + " was not ready within " + PATIENCE.toSeconds() + " s:\n" + tail(log));
        } finally {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** What deploy/Dockerfile's ENV gives every process, a pod's empty /tmp being a new folder here. */
    private static Map<String, String> imageEnvironment(Path dir, String name, Path ffmpeg) {
        return Map.of("REELROUTE_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString(),
                "REELROUTE_MEDIA_WORK_DIR", dir.resolve("tmp-" + name).resolve("reelroute").toString(),
                "REELROUTE_MEDIA_FFMPEG", ffmpeg.resolve("ffmpeg").toString(),
                "REELROUTE_MEDIA_FFPROBE", ffmpeg.resolve("ffprobe").toString(),
                "JAVA_TOOL_OPTIONS", TOOL_OPTIONS);
    }

    /** The jar started outside the image: the bundled ffmpeg is extracted into an empty JavaCPP cache first. */
    private static Map<String, String> jarEnvironment(Path dir, String name) {
        Path tmp = dir.resolve("tmp-" + name);
        return Map.of("REELROUTE_ROUTES_DIR", Path.of("routes").toAbsolutePath().toString(),
                "REELROUTE_MEDIA_WORK_DIR", tmp.resolve("reelroute").toString(),
                "JAVA_TOOL_OPTIONS", TOOL_OPTIONS + " -Dorg.bytedeco.javacpp.cachedir=" + tmp.resolve("javacpp"));
    }

    /** The bundled ffmpeg's executables and libraries, unpacked as deploy/Dockerfile does (the JNI wrappers left out). */
    private static Path unpackFfmpeg(Path lib, Path into) throws IOException {
        Files.createDirectories(into);
        Path jar;
        try (Stream<Path> jars = Files.list(lib)) {
            jar = jars.filter(p -> p.getFileName().toString().matches("ffmpeg-.*-linux-x86_64-gpl\\.jar")).findFirst().orElseThrow();
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                String name = entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
                if (entry.getName().startsWith(FFMPEG_ENTRIES) && !entry.isDirectory() && !name.startsWith("libjni")) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        Files.copy(in, into.resolve(name));
                    }
                }
            }
        }
        into.resolve("ffmpeg").toFile().setExecutable(true);
        into.resolve("ffprobe").toFile().setExecutable(true);
        return into;
    }

    private static void java(Path dir, Path log, Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaExecutable()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES) && process.exitValue() == 0).as("%s:\n%s", command, tail(log)).isTrue();
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static String rounded(double[] values) {
        return Arrays.stream(values).mapToObj(v -> String.format("%.2f", v)).toList().toString();
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
