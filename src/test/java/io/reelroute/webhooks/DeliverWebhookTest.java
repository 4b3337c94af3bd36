package io.reelroute.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;

import io.reelroute.config.ReelRouteProperties;
import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.InboundMessages;
import io.reelroute.contract.Job;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.Params;
import io.reelroute.contract.WebhookRequest;
import io.reelroute.contract.WebhookStatus;
import io.reelroute.store.JobStore;
import io.reelroute.testing.HopContext;
import io.reelroute.testing.ProvisionedEmulators;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The deliver-webhook hop (routes/kit/deliver-webhook.camel.yaml) in a bare CamelContext: jobs in DynamoDB Local, the
 * dead-letter copies in S3Mock, and a real HTTP receiver started here that answers what each test tells it to and
 * checks every POST's signature with its own HMAC computation. The next attempts reach a mock endpoint and are fed
 * back, as the transcode-events queue brings them back after their delay.
 */
class DeliverWebhookTest {

    private static final String SECRET = "a-test-secret";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    record Received(String timestamp, String signature, String delivery, String attempt, String userAgent, String event,
            String contentType, String body) {
    }

    private static ProvisionedEmulators emulators;
    private static S3Client s3;
    private static JobStore jobs;
    private static HttpServer receiver;
    private static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    private static final Queue<Integer> ANSWERS = new ConcurrentLinkedQueue<>();

    private HopContext hop;
    private Webhooks webhooks;

    @BeforeAll
    static void start() throws Exception {
        emulators = ProvisionedEmulators.start();
        s3 = emulators.s3();
        jobs = new JobStore(emulators.dynamoDb(), ProvisionedEmulators.NAMES.jobsTable(), Clock.systemUTC());
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            var headers = exchange.getRequestHeaders();
            RECEIVED.add(new Received(headers.getFirst("X-ReelRoute-Timestamp"), headers.getFirst("X-ReelRoute-Signature"),
                    headers.getFirst("X-ReelRoute-Delivery"), headers.getFirst("X-ReelRoute-Attempt"),
                    headers.getFirst("User-Agent"), headers.getFirst("X-ReelRoute-Event"),
                    headers.getFirst("Content-Type"), new String(body, StandardCharsets.UTF_8)));
            Integer status = ANSWERS.poll();
            byte[] answer = "thanks".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status == null ? 200 : status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stop() {
        if (receiver != null) {
            receiver.stop(0);
        }
        if (s3 != null) {
            s3.close();
        }
        if (emulators != null) {
            emulators.close();
        }
    }

    @BeforeEach
    void context() throws Exception {
        RECEIVED.clear();
        ANSWERS.clear();
        webhooks = new Webhooks(jobs, job -> Map.of("job_id", job.jobId(), "status", job.status().wireName(),
                "webhook", "left out of the body"), new WebhookSecret(SECRET, null), s3,
                ProvisionedEmulators.NAMES.outputBucket(), MAPPER,
                new ReelRouteProperties.Webhooks(SECRET, 3, Duration.ofSeconds(2), Duration.ofMinutes(15),
                        Duration.ofSeconds(2), Duration.ofSeconds(5), 2048),
                Clock.systemUTC());
        hop = HopContext.with(Map.of("reelroute.output-bucket", ProvisionedEmulators.NAMES.outputBucket()))
                .bind("webhooks", webhooks)
                .load("deliver-webhook.camel.yaml");
        hop.yaml("""
                - routeConfiguration:
                    id: transient-faults
                """)
                .instance("deliver-webhook", "webhook-delivery", Map.of("endpoint", "deliver", "retry", "mock:retry"))
                .start();
    }

    @AfterEach
    void closeContext() {
        hop.close();
    }

    @Test
    void aDeliveryIsRetriedAfterServerErrorsUntilTheReceiverTakesItSignedTheSameWayEachTime() throws Exception {
        String jobId = failedJobWithCallback("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        ANSWERS.addAll(List.of(500, 503));

        WebhookRequest first = requestOf(webhooks.request(jobId));
        assertThat(first.attempt()).isEqualTo(1);
        deliverWithRetries(first);

        assertThat(RECEIVED).hasSize(3);
        for (int i = 0; i < RECEIVED.size(); i++) {
            Received post = RECEIVED.get(i);
            assertThat(post.signature()).as("attempt %s is signed", i + 1).isEqualTo(expectedSignature(post.timestamp(), post.body()));
            assertThat(Math.abs(Long.parseLong(post.timestamp()) - Instant.now().getEpochSecond())).isLessThan(60);
            assertThat(post.delivery()).as("one delivery id for every attempt").isEqualTo(first.deliveryId());
            assertThat(post.attempt()).isEqualTo(String.valueOf(i + 1));
            assertThat(post.userAgent()).isEqualTo("ReelRoute-Webhooks");
            assertThat(post.contentType()).isEqualTo("application/json");
            assertThat(post.event()).isEqualTo("job.failed");
            JsonNode body = MAPPER.readTree(post.body());
            assertThat(body.get("job_id").asText()).isEqualTo(jobId);
            assertThat(body.get("status").asText()).isEqualTo("failed");
            assertThat(body.has("webhook")).as("the delivery's own state is not in the body").isFalse();
        }
        var delays = hop.mock("mock:retry").getReceivedExchanges().stream()
                .map(e -> e.getIn().getHeader("CamelAwsSqsDelaySeconds", Integer.class)).toList();
        assertThat(delays).hasSize(2);
        assertThat(delays.get(0)).as("half to all of the first delay").isBetween(1, 2);
        assertThat(delays.get(1)).as("doubled").isBetween(2, 4);

        Job.Webhook webhook = jobs.find(jobId).orElseThrow().webhook();
        assertThat(webhook.status()).isEqualTo(WebhookStatus.DELIVERED);
        assertThat(webhook.attempts()).isEqualTo(3);
        assertThat(webhook.lastStatusCode()).isEqualTo(200);
        assertThat(webhook.lastError()).isNull();
        assertThat(webhook.deliveredAt()).isNotNull();
        assertThat(hop.counted("reelroute.webhooks.retried")).isEqualTo(2);
        assertThat(hop.counted("reelroute.webhooks.delivered")).isEqualTo(1);

        // Delivered: a repeated request is not made, and an old attempt's message delivered again POSTs nothing.
        assertThat(webhooks.request(jobId)).isNull();
        hop.request("direct:deliver", first);
        hop.request("direct:deliver", first.next().next());
        assertThat(RECEIVED).hasSize(3);
    }

    @Test
    void aRefusalFailsTheDeliveryAtOnceAndKeepsItAsADeadLetter() throws Exception {
        String jobId = failedJobWithCallback("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        ANSWERS.add(410);

        deliverWithRetries(requestOf(webhooks.request(jobId)));

        assertThat(RECEIVED).hasSize(1);
        assertThat(hop.mock("mock:retry").getReceivedCounter()).isZero();
        Job.Webhook webhook = jobs.find(jobId).orElseThrow().webhook();
        assertThat(webhook.status()).isEqualTo(WebhookStatus.FAILED);
        assertThat(webhook.attempts()).isEqualTo(1);
        assertThat(webhook.lastStatusCode()).isEqualTo(410);
        assertThat(webhook.lastError()).contains("answered 410").contains("refused");
        assertThat(webhook.deadLetterKey()).isEqualTo("dead-letters/webhooks/" + jobId + "/" + webhook.deliveryId() + ".json");
        JsonNode copy = MAPPER.readTree(s3.getObjectAsBytes(r -> r.bucket(ProvisionedEmulators.NAMES.outputBucket())
                .key(webhook.deadLetterKey())).asUtf8String());
        assertThat(copy.get("last_status_code").asInt()).isEqualTo(410);
        assertThat(copy.at("/body/status").asText()).isEqualTo("failed");
        assertThat(hop.counted("reelroute.webhooks.failed")).isEqualTo(1);
        assertThat(webhooks.request(jobId)).as("a failed delivery is not requested again").isNull();
    }

    @Test
    void aReceiverThatNeverAnswersWellIsGivenUpOnAfterTheLastAttempt() throws Exception {
        String jobId = failedJobWithCallback("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        ANSWERS.addAll(List.of(503, 429, 502, 200));

        deliverWithRetries(requestOf(webhooks.request(jobId)));

        assertThat(RECEIVED).as("max-attempts is 3").hasSize(3);
        Job.Webhook webhook = jobs.find(jobId).orElseThrow().webhook();
        assertThat(webhook.status()).isEqualTo(WebhookStatus.FAILED);
        assertThat(webhook.attempts()).isEqualTo(3);
        assertThat(webhook.lastStatusCode()).isEqualTo(502);
        assertThat(webhook.lastError()).contains("gave up after 3 attempts");
        assertThat(hop.counted("reelroute.webhooks.failed")).isEqualTo(1);
    }

    @Test
    void aReceiverThatIsDownIsRetriedWithTheErrorOnTheJob() throws Exception {
        int closed;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        String jobId = failedJobWithCallback("http://127.0.0.1:" + closed + "/hook");

        hop.request("direct:deliver", requestOf(webhooks.request(jobId)));

        Job.Webhook webhook = jobs.find(jobId).orElseThrow().webhook();
        assertThat(webhook.status()).isEqualTo(WebhookStatus.PENDING);
        assertThat(webhook.attempts()).isEqualTo(1);
        assertThat(webhook.lastStatusCode()).isNull();
        assertThat(webhook.lastError()).contains("ConnectException");
        assertThat(hop.mock("mock:retry").getReceivedCounter()).isEqualTo(1);
        // A repeated request continues the same delivery from its next attempt.
        WebhookRequest again = requestOf(webhooks.request(jobId));
        assertThat(again.deliveryId()).isEqualTo(webhook.deliveryId());
        assertThat(again.attempt()).isEqualTo(2);
    }

    /** Sends the request, then every next attempt the hop schedules, as the queue would bring them back. */
    private void deliverWithRetries(WebhookRequest request) throws Exception {
        hop.request("direct:deliver", request);
        int seen = 0;
        while (hop.mock("mock:retry").getReceivedCounter() > seen) {
            Exchange retry = hop.mock("mock:retry").getReceivedExchanges().get(seen++);
            hop.request("direct:deliver", requestOf(retry.getIn().getBody(String.class)));
        }
    }

    private static String failedJobWithCallback(String url) {
        String jobId = JobIds.newId();
        jobs.createIfAbsent(jobId, "stereo", Params.of(JsonNodeFactory.instance.objectNode()), "owner", null, url);
        jobs.fail(jobId, FailurePhase.PROBE, "not a video");
        return jobId;
    }

    private static WebhookRequest requestOf(String message) {
        assertThat(message).isNotNull();
        return WebhookRequest.of(new InboundMessages(MAPPER).classify(message));
    }

    /** The receiver's side: sha256= and the hex HMAC-SHA256 of timestamp + "." + body, with the shared secret. */
    private static String expectedSignature(String timestamp, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
    }
}
