package io.reelroute.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.reelroute.ReelRouteApplication;
import io.reelroute.contract.OutputKeys;
import io.reelroute.testing.AwsCompatibleEndpoint;
import io.reelroute.testing.ModelServer;
import io.reelroute.testing.MotoServer;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The prod overlay's five roles as five processes that share nothing but AWS (moto_server): each runs with the
 * environment its Deployment gives the container (the route selection, the backend, the ConfigMap values from
 * aws.env) and with k8s/base/application.properties as its settings file. A job created through the api
 * process is chunked and reassembled by media, inferred by inference through a model server on the http
 * backend (the sidecar's part), and packaged by transcode, which also applies the packager's event. Each process runs exactly the routes
 * the route catalog says its selection enables. S3's events reach the queues through EventBridge, with the
 * rules' patterns read from deploy/terraform, as on AWS.
 *
 * Differences from a pod, each because of the emulator: the AWS endpoint and credentials, HLS packaged by
 * ffmpeg (moto has no MediaConvert), authentication off (no token issuer), short segments and SQS waits.
 */
class DeploymentRolesIT {

    @RegisterExtension
    static final MotoServer MOTO = new MotoServer();

    private static final Duration START_PATIENCE = Duration.ofMinutes(4);
    // ListenAddresses' start lines: the API's port, then the management port (health, metrics).
    private static final Pattern SERVER_STARTED = Pattern.compile("The API listens on [^,]+, port (\\d+)");
    private static final Pattern MANAGEMENT_STARTED = Pattern.compile("actuator endpoints listen on [^,]+, port (\\d+)");
    private static final Pattern ROUTE_METRIC = Pattern.compile("camel_exchanges_total\\{[^}]*routeId=\"([^\"]+)\"[^}]*} ([0-9.E]+)");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Map<String, Role> ROLES = new LinkedHashMap<>();
    private static final ModelServer MODEL = new ModelServer();
    private static RenderedOverlay prod;
    private static S3Client s3;

    @TempDir
    static Path work;

    /** A process of one role; its port is the one its web server reported once it listened. */
    static final class Role {
        final String name;
        final Process process;
        final Path log;
        private volatile int port;
        private volatile int managementPort;

        Role(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
        }

        String name() {
            return name;
        }

        Process process() {
            return process;
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        /** On the management port: the actuator's endpoints. */
        URI management(String path) {
            return URI.create("http://127.0.0.1:" + managementPort + path);
        }

        /** The ports from the servers' start lines, the API's or 0 while both are not listening yet. */
        int listening() {
            if (port == 0 || managementPort == 0) {
                try {
                    String written = Files.readString(log, StandardCharsets.UTF_8);
                    Matcher started = SERVER_STARTED.matcher(written);
                    Matcher management = MANAGEMENT_STARTED.matcher(written);
                    if (started.find() && management.find()) {
                        managementPort = Integer.parseInt(management.group(1));
                        port = Integer.parseInt(started.group(1));
                    }
                } catch (IOException | UncheckedIOException notYet) {
                    // not written yet
                }
            }
            return port;
        }
    }

    @BeforeAll
    static void startTheRoles() throws Exception {
        prod = RenderedOverlay.render(RenderedOverlay.kubectlOrSkip("DeploymentRolesIT"), "prod");
        s3 = S3Client.builder().endpointOverride(MOTO.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"))).build();
        Optional<Terraform> terraform = Terraform.find();
        if (terraform.isPresent()) {
            // S3 events reach the queues as deploy/terraform routes them: through EventBridge, with its rules' patterns.
            AwsCompatibleEndpoint.provision(MOTO.endpoint(), false);
            s3.putBucketNotificationConfiguration(r -> r.bucket("reelroute-input")
                    .notificationConfiguration(n -> n.eventBridgeConfiguration(e -> { })));
            terraform.get().inputObjectPatterns().forEach((queue, pattern) -> AwsCompatibleEndpoint.routeEvents(
                    MOTO.endpoint(), "reelroute-" + queue + "-objects", pattern, "reelroute-" + queue));
        } else {
            System.out.println("[SKIPPED] DeploymentRolesIT: terraform is absent, so S3 events reach the queues as "
                    + "S3 notifications rather than through Terraform's EventBridge rules");
            AwsCompatibleEndpoint.provision(MOTO.endpoint());
        }
        MODEL.s3 = s3;

        Path argFile = work.resolve("java-args.txt");
        // An argument file: the test class path is longer than one command-line argument may be.
        Files.writeString(argFile, "-cp\n\"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
        for (Deployment deployment : prod.all(Deployment.class)) {
            String name = deployment.getMetadata().getLabels().get("app.kubernetes.io/component");
            ROLES.put(name, start(name, deployment, argFile));
        }
        for (Role role : ROLES.values()) {
            awaitReady(role);
        }
    }

    @AfterAll
    static void stopTheRoles() throws Exception {
        for (Role role : ROLES.values()) {
            role.process().destroy();
        }
        for (Role role : ROLES.values()) {
            if (!role.process().waitFor(90, java.util.concurrent.TimeUnit.SECONDS)) {
                role.process().destroyForcibly();
            }
        }
        MODEL.close();
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void aJobGoesThroughFiveProcessesEachRunningOnlyItsRolesRoutes() throws Exception {
        Role api = ROLES.get("api");
        JsonNode created = call("POST", api.uri("/jobs"), "{\"mode\": \"sbs\", \"title\": \"five roles\"}");
        String jobId = created.get("job_id").asText();
        Path clip = TestVideos.clip(8, 320, 240, true);
        JsonNode upload = created.get("upload");
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(upload.get("url").asText()))
                .PUT(HttpRequest.BodyPublishers.ofFile(clip));
        upload.get("headers").fields().forEachRemaining(h -> put.header(h.getKey(), h.getValue().asText()));
        assertThat(HTTP.send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);

        JsonNode job = await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(
                () -> call("GET", api.uri("/jobs/" + jobId), null),
                view -> "failed".equals(view.get("status").asText())
                        || ("completed".equals(view.get("status").asText()) && "ready".equals(view.path("hls_status").asText())));
        assertThat(job.get("status").asText()).as("the job: %s\n%s", job, logs()).isEqualTo("completed");
        assertThat(job.get("progress").get("segments_total").asInt()).isEqualTo(2);
        assertThat(job.get("progress").get("segments_completed").asInt()).isEqualTo(2);
        assertThat(job.get("hls_master_key").asText()).startsWith("jobs/" + jobId + "/hls/");
        Path result = work.resolve("final.mp4");
        s3.getObject(r -> r.bucket("reelroute-output").key(OutputKeys.finalVideo(jobId)), result);
        assertThat(TestVideos.durationSeconds(result)).isCloseTo(TestVideos.durationSeconds(clip), within(0.5));
        assertThat(MODEL.attempts(jobId, 2)).as("the model server was called once per segment").containsExactly(1, 1);

        RouteCatalog catalog = RouteCatalog.read();
        Map<String, String> hops = Map.of("api", "api-create-job", "media", "reassembly", "inference", "inference",
                "transcode", "transcode-events", "watchdog", "watchdog");
        for (Role role : ROLES.values()) {
            Map<String, Double> exchanges = exchangesByRoute(role);
            String selection = env(prod.named(Deployment.class, "reelroute-" + role.name()), "REELROUTE_ROUTES_ENABLED");
            // REST operations run inlined into the routes they call, under those routes' ids, or (where they call a
            // route made from a template) as routes of their own: compare by id the routes the filter selects by id.
            Set<String> running = new TreeSet<>(exchanges.keySet());
            running.retainAll(catalog.routes().keySet());
            running.removeIf(id -> !catalog.routes().get(id).filteredById());
            Set<String> expected = new TreeSet<>(catalog.enabledBy(selection));
            expected.removeIf(id -> !catalog.routes().get(id).filteredById());
            assertThat(running).as("the routes the %s process runs", role.name()).isEqualTo(expected);
            int apiDoc = HTTP.send(HttpRequest.newBuilder(role.uri("/api-doc")).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            assertThat(apiDoc).as("/api-doc on %s", role.name()).isEqualTo(role.name().equals("api") ? 200 : 404);
            if (!role.name().equals("watchdog")) {
                assertThat(exchanges.get(hops.get(role.name()))).as("%s did its part", role.name()).isPositive();
            }
        }
        Map<String, Double> media = exchangesByRoute(ROLES.get("media"));
        for (String hop : Set.of("upload-event", "chunk", "reassembly", "after-completion")) {
            assertThat(media.get(hop)).as("media ran %s", hop).isPositive();
        }
        Map<String, Double> transcode = exchangesByRoute(ROLES.get("transcode"));
        for (String hop : Set.of("transcode-submit", "package-locally")) {
            assertThat(transcode.get(hop)).as("transcode ran %s", hop).isPositive();
        }
    }

    // --- the processes ---

    private static Role start(String name, Deployment deployment, Path argFile) throws IOException {
        Path log = work.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "@" + argFile,
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
                ReelRouteApplication.class.getName(),
                // The settings file every role mounts at /app/config.
                "--spring.config.additional-location=file:" + Path.of("k8s", "base", "application.properties").toAbsolutePath(),
                // Each process binds a port of its own choosing: one picked here could be taken before it binds.
                "--server.port=0",
                "--management.server.port=0",
                "--reelroute.routes.dir=" + Path.of("routes").toAbsolutePath(),
                "--reelroute.media.work-dir=" + work.resolve("work-" + name),
                "--reelroute.aws.endpoint=" + MOTO.endpoint(),
                "--reelroute.transcode.packager=local",
                "--reelroute.api.auth.enabled=false",
                "--reelroute.chunking.segment-seconds=4",
                "--reelroute.sqs.wait-time-seconds=1"));
        if (name.equals("inference")) {
            // The sidecar's place: the pod's 127.0.0.1:8081 is this test's model server.
            command.add("--reelroute.inference.http.url=" + MODEL.url());
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(prod.containerEnvironment(deployment));
        builder.environment().put("AWS_ACCESS_KEY_ID", "testing");
        builder.environment().put("AWS_SECRET_ACCESS_KEY", "testing");
        return new Role(name, builder.start(), log);
    }

    /** Ready once readiness (routes, table, queue, bucket) answers UP; fails at once if the process exits. */
    private static void awaitReady(Role role) throws Exception {
        long deadline = System.nanoTime() + START_PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!role.process().isAlive()) {
                throw new AssertionError(role.name() + " exited with " + role.process().exitValue() + "\n" + tail(role.log));
            }
            try {
                HttpRequest probe = HttpRequest.newBuilder(role.uri("/readyz")).timeout(Duration.ofSeconds(5)).build();
                if (role.listening() > 0 && HTTP.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError(role.name() + " was not ready within " + START_PATIENCE.toSeconds() + " s\n" + tail(role.log));
    }

    private static Map<String, Double> exchangesByRoute(Role role) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(role.management("/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> exchanges = new LinkedHashMap<>();
        Matcher m = ROUTE_METRIC.matcher(metrics);
        while (m.find()) {
            exchanges.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
        }
        return exchanges;
    }

    private static JsonNode call(String method, URI uri, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s %s: %s", method, uri, response.body()).isBetween(200, 299);
        return JSON.readTree(response.body());
    }

    private static String env(Deployment deployment, String name) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals(name)).findFirst().orElseThrow().getValue();
    }

    private static String logs() {
        StringBuilder all = new StringBuilder();
        ROLES.values().forEach(role -> all.append("--- ").append(role.name()).append('\n').append(tail(role.log)).append('\n'));
        return all.toString();
    }

    private static String tail(Path log) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - 60), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }
}
