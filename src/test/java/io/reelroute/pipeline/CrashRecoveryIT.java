package io.reelroute.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.ReelRouteApplication;
import io.reelroute.contract.OutputKeys;
import io.reelroute.contract.ResourceNames;
import io.reelroute.contract.Tables;
import io.reelroute.testing.EmbeddedEmulators;
import io.reelroute.testing.TestVideos;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Crash recovery of the whole application on the embedded default: the application runs as a separate JVM,
 * is killed with SIGKILL (its ffmpeg children too) while five jobs are in flight, and is started again on the
 * same data folder and ports, three times. Left running at last, it must take every job to {@code completed}
 * by itself: SQS redelivers what was in flight, the reassembly lock and an unconfirmed trigger are taken over
 * once they expire, and nothing that was handed over before a kill is lost.
 * <p>
 * The kills fall right after the embedded S3 notification bridge recorded a segment's notification as sent,
 * right after a reassembly trigger was confirmed (its message just sent), and after a random delay. Which
 * notification and which delay come from a seed printed at the start; {@code -Dreelroute.crash.seed=N}
 * replays a run.
 */
class CrashRecoveryIT {

    static final long SEED = Long.getLong("reelroute.crash.seed", 20261123L);
    /** One job per source, of these lengths (2 or 3 segments each). */
    static final int[] SOURCE_SECONDS = {8, 9, 10, 11, 12};
    static final double DURATION_TOLERANCE_SECONDS = 0.5;
    static final Duration START_PATIENCE = Duration.ofSeconds(120);
    /** After the last restart: every job must be completed within this. */
    static final Duration FINISH_PATIENCE = Duration.ofSeconds(150);
    /** How long a kill waits for its moment before it kills anyway. */
    static final Duration MOMENT_PATIENCE = Duration.ofSeconds(45);
    static final String REGION = "us-east-1";
    static final ResourceNames NAMES = ResourceNames.fromPrefix("reelroute");

    static final Path ROOT = EmbeddedEmulators.newDataDir();
    static final Path DATA = ROOT.resolve("data");
    static final Path LOGS = ROOT.resolve("logs");

    static Child child;

    final Random random = new Random(SEED);
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final ObjectMapper mapper = new ObjectMapper();
    final Ports ports = Ports.free();
    final List<String> events = new ArrayList<>();

    record Ports(int server, int s3, int sqs, int dynamoDb) {
        /** Four distinct free loopback ports, chosen once and used by every start. */
        static Ports free() {
            List<ServerSocket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    sockets.add(new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")));
                }
                return new Ports(sockets.get(0).getLocalPort(), sockets.get(1).getLocalPort(),
                        sockets.get(2).getLocalPort(), sockets.get(3).getLocalPort());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                sockets.forEach(s -> {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closing a probe socket
                    }
                });
            }
        }
    }

    /** One run of the application: its process and its log. */
    record Child(int run, Process process, Path log) {
    }

    record Submitted(String jobId, Path source, double sourceSeconds) {
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void everyJobCompletesAfterRepeatedKillsAndAStopWithoutAnyManualStep() throws Exception {
        int kills = 3;
        note("seed " + SEED + " (replay with -Dreelroute.crash.seed=" + SEED + "), " + kills + " kills, folder " + ROOT
                + ", ports " + ports);

        List<Path> sources = Arrays.stream(SOURCE_SECONDS).mapToObj(s -> TestVideos.clip(s, 320, 240, true)).toList();
        start(1);
        List<Submitted> jobs = new ArrayList<>();
        for (Path source : sources) {
            jobs.add(submit(source));
        }
        note("submitted " + jobs.stream().map(Submitted::jobId).toList());

        for (int kill = 1; kill <= kills; kill++) {
            String before = states(jobs);
            String moment = switch (kill) {
                case 1 -> afterNewNotification("/segments/", random.nextInt(4));
                case 2 -> afterConfirmedTrigger();
                default -> afterRandomDelay(500, 8_000);
            };
            if (!child.process().isAlive()) {
                throw new AssertionError(report("run " + child.run() + " exited by itself", jobs));
            }
            if (kill < kills) {
                int killed = kill(child);
                note("kill " + kill + " of run " + child.run() + " (" + killed + " processes) " + moment
                        + "; the jobs before: " + before);
            } else {
                // The last one is a SIGTERM: graceful shutdown, and nothing the application started outlives it.
                long took = terminate(child);
                note("SIGTERM to run " + child.run() + " " + moment + ", stopped in " + took + " ms; the jobs before: " + before);
            }
            start(kill + 1);
        }

        awaitAllCompleted(jobs);
        try (S3Client s3 = s3(); DynamoDbClient dynamoDb = dynamoDb()) {
            for (Submitted job : jobs) {
                Path result = ROOT.resolve(job.jobId() + "-final.mp4");
                try {
                    s3.getObject(r -> r.bucket(NAMES.outputBucket()).key(OutputKeys.finalVideo(job.jobId())), result);
                } catch (NoSuchKeyException missing) {
                    throw new AssertionError(report("job " + job.jobId() + " is completed but has no final.mp4", jobs));
                }
                assertThat(TestVideos.durationSeconds(result)).as("duration of %s's final.mp4 (source %.2f s)",
                        job.jobId(), job.sourceSeconds()).isCloseTo(job.sourceSeconds(),
                                Offset.offset(DURATION_TOLERANCE_SECONDS));
                assertThat(TestVideos.videoSize(result)).containsExactly(640, 240);
                Map<String, AttributeValue> record = dynamoDb.getItem(r -> r.tableName(NAMES.jobsTable())
                        .consistentRead(true).key(Map.of(Tables.JOB_ID, AttributeValue.fromS(job.jobId())))).item();
                assertThat(record.get(Tables.STATUS).s()).isEqualTo("completed");
                assertThat(record).containsKey(Tables.COMPLETED_AT);
                assertThat(record.get(Tables.COMPLETED_SEGMENTS).n()).isEqualTo(record.get(Tables.TOTAL_SEGMENTS).n());
            }
        }
        note("all " + jobs.size() + " jobs completed; " + states(jobs));
    }

    @AfterAll
    static void stopTheApplication() {
        if (child != null) {
            kill(child);
        }
        // Nothing of ours may outlive the test: no application JVM, no ffmpeg.
        List<String> left = strays().stream().map(CrashRecoveryIT::describe).toList();
        assertThat(left).as("processes left running that name " + ROOT).isEmpty();
    }

    // --- kill moments ---

    /**
     * Right after the embedded S3 notification bridge has recorded a new notification under {@code prefix} as
     * sent ({@code skip} others first): the hand-off from an object to its queue.
     */
    private String afterNewNotification(String prefix, int skip) throws InterruptedException {
        Path sent = DATA.resolve("s3-notifications-sent.dat");
        long baseline = notifications(sent, prefix);
        long deadline = System.nanoTime() + MOMENT_PATIENCE.toNanos();
        long size = -1;
        while (System.nanoTime() < deadline && child.process().isAlive()) {
            long now = sent.toFile().length();
            if (now != size) {
                size = now;
                long count = notifications(sent, prefix);
                if (count > baseline + skip) {
                    return "right after notification " + count + " under " + prefix + " was recorded";
                }
            }
            Thread.sleep(2);
        }
        return "after " + MOMENT_PATIENCE.toSeconds() + " s without a new notification under " + prefix;
    }

    /** Right after a reassembly trigger was confirmed: the reassembly message has just been sent. */
    private String afterConfirmedTrigger() throws InterruptedException {
        try (DynamoDbClient dynamoDb = dynamoDb()) {
            long baseline = confirmedTriggers(dynamoDb);
            long deadline = System.nanoTime() + MOMENT_PATIENCE.toNanos();
            while (System.nanoTime() < deadline && child.process().isAlive()) {
                long count = confirmedTriggers(dynamoDb);
                if (count > baseline) {
                    return "right after reassembly trigger " + count + " was confirmed";
                }
                Thread.sleep(20);
            }
        }
        return "after " + MOMENT_PATIENCE.toSeconds() + " s without a confirmed reassembly trigger";
    }

    private String afterRandomDelay(int minMillis, int maxMillis) throws InterruptedException {
        int delay = minMillis + random.nextInt(maxMillis - minMillis);
        Thread.sleep(delay);
        return "after " + delay + " ms";
    }

    private static long notifications(Path sent, String prefix) {
        try {
            return Files.exists(sent) ? Files.readAllLines(sent).stream().filter(l -> l.contains(prefix)).count() : 0;
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private static long confirmedTriggers(DynamoDbClient dynamoDb) {
        try {
            return dynamoDb.scan(r -> r.tableName(NAMES.reassemblyTriggeredTable()).consistentRead(true)).items().stream()
                    .filter(i -> i.containsKey(Tables.TRIGGER_STATE) && "confirmed".equals(i.get(Tables.TRIGGER_STATE).s()))
                    .count();
        } catch (RuntimeException notReachable) {
            return 0;
        }
    }

    // --- the application's process ---

    private void start(int run) throws Exception {
        Files.createDirectories(LOGS);
        Path log = LOGS.resolve("run-" + run + ".log");
        Path argFile = ROOT.resolve("java-args.txt");
        if (!Files.exists(argFile)) {
            // An argument file: the test class path is longer than one command-line argument may be.
            Files.writeString(argFile, "-cp\n" + quote(System.getProperty("java.class.path")) + "\n");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + argFile,
                "-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
                ReelRouteApplication.class.getName()));
        command.addAll(settings());
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .directory(Path.of("").toAbsolutePath().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        child = new Child(run, process, log);
        awaitReady(child);
        note("run " + run + " (pid " + process.pid() + ") ready in " + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    private List<String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("reelroute.mode", "embedded");
        settings.put("reelroute.embedded.data-dir", DATA.toString());
        settings.put("reelroute.embedded.inbox", ROOT.resolve("inbox").toString());
        settings.put("reelroute.embedded.outbox", ROOT.resolve("outbox").toString());
        settings.put("server.port", Integer.toString(ports.server()));
        // The actuator's port, unused here: any free one, not 8082, which another process may hold.
        settings.put("management.server.port", "0");
        settings.put("reelroute.embedded.s3-port", Integer.toString(ports.s3()));
        settings.put("reelroute.embedded.sqs-port", Integer.toString(ports.sqs()));
        settings.put("reelroute.embedded.dynamodb-port", Integer.toString(ports.dynamoDb()));
        settings.put("reelroute.media.work-dir", ROOT.resolve("work").toString());
        settings.put("reelroute.routes.dir", Path.of("routes").toAbsolutePath().toString());
        settings.put("reelroute.sqs.wait-time-seconds", "1");
        settings.put("reelroute.sqs.visibility-timeout-seconds", "5");
        settings.put("reelroute.chunking.segment-seconds", "4");
        settings.put("reelroute.inference.concurrent-consumers", "2");
        settings.put("reelroute.retry-delay-ms", "500");
        settings.put("reelroute.reassembly.lock-ttl", "10s");
        settings.put("reelroute.reassembly.trigger-lease", "5s");
        settings.put("logging.level.root", "INFO");
        return settings.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toList();
    }

    /** Ready once the job API answers; fails at once if the process exits. */
    private void awaitReady(Child run) throws Exception {
        long deadline = System.nanoTime() + START_PATIENCE.toNanos();
        HttpRequest probe = HttpRequest.newBuilder(api("/jobs?status=in_progress&limit=1"))
                .timeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < deadline) {
            if (!run.process().isAlive()) {
                throw new AssertionError("run " + run.run() + " exited with " + run.process().exitValue()
                        + " before it was ready\n" + tail(run.log(), 80));
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("run " + run.run() + " was not ready within " + START_PATIENCE.toSeconds() + " s\n"
                + tail(run.log(), 80));
    }

    /**
     * SIGKILL for the application and every process it started (ffmpeg), as when a pod or machine dies;
     * returns how many processes were killed. Children started in the instant between the listing and the
     * kill are found by their arguments, which name the test's folder.
     */
    private static int kill(Child run) {
        List<ProcessHandle> descendants = run.process().descendants().toList();
        run.process().destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        int killed = 1 + descendants.size();
        try {
            if (!run.process().waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("run " + run.run() + " (pid " + run.process().pid() + ") survived SIGKILL");
            }
            for (ProcessHandle descendant : descendants) {
                descendant.onExit().get(30, TimeUnit.SECONDS);
            }
            for (ProcessHandle stray : strays()) {
                stray.destroyForcibly();
                stray.onExit().get(30, TimeUnit.SECONDS);
                killed++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException("killing run " + run.run() + " failed", e);
        }
        return killed;
    }

    /**
     * Sends SIGTERM and waits for the application to stop by itself; then no process it started may be left.
     * Returns how long the stop took.
     */
    private static long terminate(Child run) throws Exception {
        long started = System.nanoTime();
        run.process().destroy();
        if (!run.process().waitFor(120, TimeUnit.SECONDS)) {
            throw new AssertionError("run " + run.run() + " did not stop within 120 s of SIGTERM; log tail:\n" + tail(run.log(), 40));
        }
        List<String> left = strays().stream().map(CrashRecoveryIT::describe).toList();
        assertThat(left).as("processes left running after SIGTERM").isEmpty();
        return (System.nanoTime() - started) / 1_000_000;
    }

    /** Live processes (other than this JVM) whose command line names the test's folder. */
    private static List<ProcessHandle> strays() {
        String marker = ROOT.toString();
        long self = ProcessHandle.current().pid();
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> p.pid() != self && p.isAlive())
                    .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false)
                            || p.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false))
                    .toList();
        }
    }

    private static String describe(ProcessHandle process) {
        return process.pid() + " " + process.info().commandLine().orElse("?");
    }

    // --- the job API ---

    private Submitted submit(Path source) throws Exception {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(api("/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"mode\": \"sbs\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode job = mapper.readTree(created.body());
        JsonNode upload = job.get("upload");
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(upload.get("url").asText()))
                .PUT(HttpRequest.BodyPublishers.ofFile(source));
        upload.get("headers").fields().forEachRemaining(h -> put.header(h.getKey(), h.getValue().asText()));
        assertThat(http.send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        return new Submitted(job.get("job_id").asText(), source, TestVideos.durationSeconds(source));
    }

    private Optional<JsonNode> job(String jobId) {
        try {
            HttpResponse<String> reply = http.send(HttpRequest.newBuilder(api("/jobs/" + jobId))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return reply.statusCode() == 200 ? Optional.of(mapper.readTree(reply.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until every job is completed; a failed or unfinished job fails the test with its state. */
    private void awaitAllCompleted(List<Submitted> jobs) throws Exception {
        long started = System.nanoTime();
        long deadline = started + FINISH_PATIENCE.toNanos();
        Map<String, JsonNode> seen = new LinkedHashMap<>();
        while (true) {
            if (!child.process().isAlive()) {
                throw new AssertionError(report("the last run exited by itself", jobs));
            }
            for (Submitted job : jobs) {
                job(job.jobId()).ifPresent(state -> seen.put(job.jobId(), state));
            }
            List<JsonNode> failed = seen.values().stream().filter(s -> "failed".equals(s.path("status").asText())).toList();
            if (!failed.isEmpty()) {
                throw new AssertionError(report("a job failed: " + failed, jobs));
            }
            if (seen.size() == jobs.size() && seen.values().stream().allMatch(s -> "completed".equals(s.path("status").asText()))) {
                note("every job completed " + (System.nanoTime() - started) / 1_000_000 + " ms after the last start");
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(report("not every job completed within " + FINISH_PATIENCE.toSeconds()
                        + " s of the last start", jobs));
            }
            Thread.sleep(1_000);
        }
    }

    private String states(List<Submitted> jobs) {
        return jobs.stream().map(j -> j.jobId().substring(0, 8) + "=" + job(j.jobId())
                .map(s -> s.path("status").asText() + "(" + s.path("progress").path("segments_completed").asText("?") + "/"
                        + s.path("progress").path("segments_total").asText("?") + ")"
                        + (s.hasNonNull("hls_status") ? " hls " + s.get("hls_status").asText() : ""))
                .orElse("?")).collect(Collectors.joining(" "));
    }

    private URI api(String path) {
        return URI.create("http://127.0.0.1:" + ports.server() + path);
    }

    // --- what a failure reports ---

    /**
     * The message of a failed run: the kills, then for each job that is not completed its record, segment
     * completions, reassembly trigger, objects and notifications, then every queue and what the dead-letter
     * queues hold, and the tail of the last run's log.
     */
    private String report(String what, List<Submitted> jobs) {
        StringBuilder out = new StringBuilder(what).append("\nseed ").append(SEED).append("\n");
        events.forEach(e -> out.append("  ").append(e).append("\n"));
        try (S3Client s3 = s3(); DynamoDbClient dynamoDb = dynamoDb(); SqsClient sqs = sqs()) {
            for (Submitted job : jobs) {
                String id = job.jobId();
                Map<String, AttributeValue> record = dynamoDb.getItem(r -> r.tableName(NAMES.jobsTable()).consistentRead(true)
                        .key(Map.of(Tables.JOB_ID, AttributeValue.fromS(id)))).item();
                if (record != null && "completed".equals(record.get(Tables.STATUS).s())) {
                    out.append("job ").append(id).append(": completed\n");
                    continue;
                }
                out.append("job ").append(id).append(" (").append(job.sourceSeconds()).append(" s source)\n");
                out.append("  record: ").append(render(record)).append("\n");
                out.append("  segment completions: ").append(dynamoDb.query(r -> r.tableName(NAMES.segmentCompletionsTable())
                        .consistentRead(true).keyConditionExpression("#id = :id")
                        .expressionAttributeNames(Map.of("#id", Tables.JOB_ID))
                        .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(id)))).items().stream()
                        .map(i -> i.get(Tables.SEGMENT_INDEX).n()).toList()).append("\n");
                out.append("  reassembly trigger: ").append(render(dynamoDb.getItem(r -> r.tableName(NAMES.reassemblyTriggeredTable())
                        .consistentRead(true).key(Map.of(Tables.JOB_ID, AttributeValue.fromS(id)))).item())).append("\n");
                out.append("  input objects: ").append(keys(s3, NAMES.inputBucket(), "input/" + id + "/"))
                        .append(keys(s3, NAMES.inputBucket(), "segments/" + id + "/")).append("\n");
                out.append("  output objects: ").append(keys(s3, NAMES.outputBucket(), "jobs/" + id + "/")).append("\n");
                out.append("  notifications sent: ").append(notificationsSent(id)).append("\n");
            }
            for (String queueUrl : sqs.listQueues().queueUrls()) {
                Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
                out.append("queue ").append(queueUrl.substring(queueUrl.lastIndexOf('/') + 1)).append(": ")
                        .append(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).append(" visible, ")
                        .append(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).append(" in flight\n");
                if (queueUrl.endsWith("-dlq")) {
                    for (Message message : sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                            .visibilityTimeout(0).waitTimeSeconds(0)).messages()) {
                        out.append("  dead letter: ").append(abbreviate(message.body(), 300)).append("\n");
                    }
                }
            }
        } catch (RuntimeException unreachable) {
            out.append("(the emulators could not be read: ").append(unreachable).append(")\n");
        }
        if (child != null) {
            out.append("--- tail of ").append(child.log()).append(" ---\n").append(tail(child.log(), 60));
        }
        return out.toString();
    }

    private static String render(Map<String, AttributeValue> item) {
        if (item == null || item.isEmpty()) {
            return "(none)";
        }
        Map<String, String> shown = new TreeMap<>();
        item.forEach((k, v) -> shown.put(k, v.s() != null ? v.s() : v.n() != null ? v.n() : v.toString()));
        return shown.toString();
    }

    private static List<String> keys(S3Client s3, String bucket, String prefix) {
        return s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents().stream()
                .map(o -> o.key() + " (" + o.size() + " B)").toList();
    }

    private static List<String> notificationsSent(String jobId) {
        Path sent = DATA.resolve("s3-notifications-sent.dat");
        try {
            return Files.exists(sent) ? Files.readAllLines(sent).stream().filter(l -> l.contains(jobId)).toList() : List.of();
        } catch (IOException e) {
            return List.of("(unreadable: " + e + ")");
        }
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static String abbreviate(String text, int length) {
        return text.length() <= length ? text : text.substring(0, length) + "…";
    }

    private static String quote(String argument) {
        return "\"" + argument.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private void note(String event) {
        String line = String.format("[crash %6.1f s] %s", (System.nanoTime() - T0) / 1e9, event);
        events.add(line);
        System.out.println(line);
    }

    private static final long T0 = System.nanoTime();

    // --- clients of the application's emulators ---

    private S3Client s3() {
        return S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + ports.s3())).region(Region.of(REGION))
                .credentialsProvider(credentials()).forcePathStyle(true).build();
    }

    private DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + ports.dynamoDb()))
                .region(Region.of(REGION)).credentialsProvider(credentials()).build();
    }

    private SqsClient sqs() {
        return SqsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + ports.sqs())).region(Region.of(REGION))
                .credentialsProvider(credentials()).build();
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    }
}
