package io.reelroute.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.reelroute.testing.EmbeddedDefaultTest;

/**
 * Request bodies over reelroute.api.max-body-bytes (64 KiB by default), over a real port: a 100 MB body, declared
 * or chunked, is answered 413 long before it could have been sent, and the API keeps answering.
 */
@EmbeddedDefaultTest
class RequestBodyLimitIT {

    static final long HUNDRED_MB = 100L * 1000 * 1000;

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final ObjectMapper mapper = new ObjectMapper();

    @Test
    void aHundredMegabyteBodyWithContentLengthIsRefusedAtOnce() throws Exception {
        Sent sent = new Sent(HUNDRED_MB);
        long started = System.nanoTime();
        HttpResponse<String> refused = postJobs(sent.declared());
        assertRefused(refused, started);
        assertThat(sent.bytes.get()).as("the body was not sent through").isLessThan(HUNDRED_MB);
        assertTheApiStillAnswers();
    }

    @Test
    void aHundredMegabyteChunkedBodyIsRefusedOnceTheCapHasCome() throws Exception {
        Sent sent = new Sent(HUNDRED_MB);
        long started = System.nanoTime();
        HttpResponse<String> refused = postJobs(sent.chunked());
        assertThat(refused.request().headers().firstValue("Content-Length")).isEmpty();
        assertRefused(refused, started);
        assertThat(sent.bytes.get()).as("the body was not sent through").isLessThan(HUNDRED_MB);
        assertTheApiStillAnswers();
    }

    @Test
    void aBodyWithinTheCapIsTaken() throws Exception {
        String title = "t".repeat(150);
        HttpResponse<String> created = postJobs(BodyPublishers.ofString(
                "{\"mode\": \"sbs\", \"title\": \"" + title + "\", \"padding\": \"" + " ".repeat(60_000) + "\"}"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        // Chunked, too.
        HttpResponse<String> chunked = postJobs(BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream("{\"mode\": \"anaglyph\"}".getBytes())));
        assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(201);
    }

    private HttpResponse<String> postJobs(BodyPublisher body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/jobs"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void assertRefused(HttpResponse<String> refused, long startedNanos) throws Exception {
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
        JsonNode error = mapper.readTree(refused.body());
        assertThat(error.get("error").asText()).contains("65536 bytes").contains("reelroute.api.max-body-bytes");
        assertThat(Duration.ofNanos(System.nanoTime() - startedNanos)).isLessThan(Duration.ofSeconds(10));
    }

    private void assertTheApiStillAnswers() throws Exception {
        HttpResponse<String> pipelines = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/pipelines"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(pipelines.statusCode()).isEqualTo(200);
        HttpResponse<String> created = postJobs(BodyPublishers.ofString("{\"mode\": \"sbs\"}"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    /** A body of {@code size} JSON-looking bytes, made as it is sent, counting what the client got to send. */
    static final class Sent {
        final long size;
        final AtomicLong bytes = new AtomicLong();

        Sent(long size) {
            this.size = size;
        }

        /** Of unknown length: sent chunked. */
        BodyPublisher chunked() {
            byte[] block = new byte[64 * 1024];
            Arrays.fill(block, (byte) 'a');
            return BodyPublishers.ofInputStream(() -> new InputStream() {
                @Override
                public int read() {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0];
                }

                @Override
                public int read(byte[] into, int from, int length) {
                    long left = size - bytes.get();
                    if (left <= 0) {
                        return -1;
                    }
                    int n = (int) Math.min(Math.min(length, block.length), left);
                    System.arraycopy(block, 0, into, from, n);
                    bytes.addAndGet(n);
                    return n;
                }
            });
        }

        /** With its Content-Length. */
        BodyPublisher declared() {
            return BodyPublishers.fromPublisher(chunked(), size);
        }
    }
}
