package io.reelroute.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.reelroute.contract.SourceKey;
import io.reelroute.testing.EmbeddedDefaultTest;
import io.reelroute.testing.RouteTestSupport;
import io.reelroute.testing.TestVideos;

/**
 * Completion webhooks end to end on the embedded default: jobs created through POST /jobs with a callback_url run
 * their pipeline, and a receiver started here gets their final state, signed (checked with its own HMAC
 * computation), after a failed first attempt; GET /jobs/{id} shows the deliveries. Also the API's refusals.
 */
@EmbeddedDefaultTest
@TestPropertySource(properties = {
    "reelroute.sqs.visibility-timeout-seconds=4",
    "reelroute.chunking.segment-seconds=4",
    "reelroute.retry-delay-ms=200",
    "reelroute.media.work-dir=target/test-work-webhooks",
    "reelroute.webhooks.secret=" + WebhooksIT.SECRET,
    "reelroute.webhooks.retry-delay=1s",
})
class WebhooksIT extends RouteTestSupport {

    static final String SECRET = "end-to-end-secret";

    record Received(int answered, String timestamp, String signature, String delivery, JsonNode body) {
    }

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper mapper = new ObjectMapper();
    final List<Received> received = new CopyOnWriteArrayList<>();
    final Queue<Integer> answers = new ConcurrentLinkedQueue<>();
    HttpServer receiver;

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Integer status = answers.poll();
            int answer = status == null ? 204 : status;
            received.add(new Received(answer, exchange.getRequestHeaders().getFirst("X-ReelRoute-Timestamp"),
                    exchange.getRequestHeaders().getFirst("X-ReelRoute-Signature"),
                    exchange.getRequestHeaders().getFirst("X-ReelRoute-Delivery"), mapper.readTree(body)));
            if (!verified(exchange.getRequestHeaders().getFirst("X-ReelRoute-Timestamp"),
                    exchange.getRequestHeaders().getFirst("X-ReelRoute-Signature"), body)) {
                answer = 401;
            }
            exchange.sendResponseHeaders(answer, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    @Test
    void aCompletedJobIsPostedToItsCallbackSignedAfterARetry() throws Exception {
        answers.add(500);
        String jobId = create("{\"pipeline\": \"stereo\", \"callback_url\": \"" + callback() + "\"}");
        JsonNode pending = get(jobId).get("webhook");
        assertThat(pending.get("url").asText()).isEqualTo(callback());
        assertThat(pending.get("status").asText()).isEqualTo("pending");
        assertThat(pending.get("attempts").asInt()).isZero();

        upload(SourceKey.keyFor(jobId), TestVideos.clip(4, 320, 240, true));

        JsonNode webhook = awaitWebhook(jobId, "delivered");
        assertThat(received).hasSize(2);
        assertThat(received.get(0).answered()).isEqualTo(500);
        assertThat(received.get(1).answered()).as("the signature verified").isEqualTo(204);
        assertThat(received.get(1).delivery()).isEqualTo(received.get(0).delivery()).isEqualTo(webhook.get("delivery_id").asText());
        JsonNode body = received.get(1).body();
        assertThat(body.get("job_id").asText()).isEqualTo(jobId);
        assertThat(body.get("status").asText()).isEqualTo("completed");
        assertThat(body.get("final_url").asText()).contains(jobId);
        assertThat(webhook.get("attempts").asInt()).isEqualTo(2);
        assertThat(webhook.get("last_status_code").asInt()).isEqualTo(204);
        assertThat(webhook.get("delivered_at").asText()).isNotEmpty();
        assertThat(count("reelroute.webhooks.delivered")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aFailedJobIsPostedWithItsFailure() throws Exception {
        String jobId = create("{\"callback_url\": \"" + callback() + "\"}");

        upload(SourceKey.keyFor(jobId), "not a video".getBytes(StandardCharsets.UTF_8));

        JsonNode webhook = awaitWebhook(jobId, "delivered");
        assertThat(webhook.get("attempts").asInt()).isEqualTo(1);
        assertThat(received).hasSize(1);
        JsonNode body = received.get(0).body();
        assertThat(body.get("status").asText()).isEqualTo("failed");
        assertThat(body.at("/failure/phase").asText()).isEqualTo("probe");
    }

    @Test
    void callbackUrlsAreCheckedWhenTheJobIsCreated() throws Exception {
        assertRefused("{\"callback_url\": \"ftp://127.0.0.1/hook\"}", "must use https or http");
        assertRefused("{\"callback_url\": \"/hook\"}", "absolute URL");
        assertRefused("{\"callback_url\": \"http://me:secret@127.0.0.1/hook\"}", "user info");
        assertRefused("{\"callback_url\": 42}", "callback_url must be a string");
        assertRefused("{\"callback_url\": \"https://example.com/" + "a".repeat(2048) + "\"}", "longer than 2048");
        String jobId = create("{}");
        assertThat(get(jobId).has("webhook")).as("no callback_url, no webhook").isFalse();
    }

    private String callback() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private JsonNode awaitWebhook(String jobId, String status) throws Exception {
        await().atMost(PATIENCE).pollInterval(java.time.Duration.ofMillis(250))
                .until(() -> status.equals(get(jobId).at("/webhook/status").asText()));
        return get(jobId).get("webhook");
    }

    private String create(String body) throws Exception {
        HttpResponse<String> response = post(body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return mapper.readTree(response.body()).get("job_id").asText();
    }

    private void assertRefused(String body, String reason) throws Exception {
        HttpResponse<String> response = post(body);
        assertThat(response.statusCode()).as(body).isEqualTo(400);
        assertThat(mapper.readTree(response.body()).get("error").asText()).contains(reason);
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/jobs"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String jobId) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/jobs/" + jobId))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return mapper.readTree(response.body());
    }

    /** What a receiver does: recompute sha256=HMAC(secret, timestamp + "." + body) and compare. */
    private static boolean verified(String timestamp, String signature, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
            return java.security.MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                    String.valueOf(signature).getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            return false;
        }
    }
}
