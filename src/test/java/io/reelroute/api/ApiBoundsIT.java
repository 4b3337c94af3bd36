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
import io.reelroute.testing.RouteTestSupport;

/**
 * The API's bounds over a real port. Request bodies over reelroute.api.max-body-bytes (64 KiB by default): a 100 MB
 * body, declared or chunked, is answered 413 long before it could have been sent, and the API keeps answering.
 * Multipart uploads: part URLs come 100 a call, the parts within S3's bounds.
 */
@EmbeddedDefaultTest
class ApiBoundsIT extends RouteTestSupport {

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

    /** A 1.25 GiB source in 250 parts: URLs for parts 1-100, then 101-200 and 201-250 with the upload id. */
    @Test
    void partUrlsComeAHundredACall() throws Exception {
        long size = 250 * 5L * 1024 * 1024;
        String jobId = json(postJobs(BodyPublishers.ofString("{\"mode\": \"sbs\", \"size\": " + size + "}"))).get("job_id").asText();
        String parts = "/jobs/" + jobId + "/upload-parts";

        JsonNode page = json(post(parts, "{\"parts\": 250, \"size\": " + size + "}", 201));
        String uploadId = page.get("upload_id").asText();
        assertThat(page.get("parts")).hasSize(100);
        assertThat(page.get("parts").get(0).get("part_number").asInt()).isEqualTo(1);
        assertThat(page.get("parts").get(99).get("part_number").asInt()).isEqualTo(100);
        assertThat(page.get("next_first_part").asInt()).isEqualTo(101);

        String next = "{\"parts\": 250, \"size\": " + size + ", \"upload_id\": \"" + uploadId + "\", \"first_part\": ";
        page = json(post(parts, next + "101}", 201));
        assertThat(page.get("upload_id").asText()).as("the same upload").isEqualTo(uploadId);
        assertThat(page.get("parts")).hasSize(100);
        assertThat(page.get("parts").get(0).get("part_number").asInt()).isEqualTo(101);
        assertThat(page.get("parts").get(0).get("url").asText()).contains("partNumber=101").contains("uploadId=");
        assertThat(page.get("next_first_part").asInt()).isEqualTo(201);
        page = json(post(parts, next + "201}", 201));
        assertThat(page.get("parts")).hasSize(50);
        assertThat(page.get("parts").get(49).get("part_number").asInt()).isEqualTo(250);
        assertThat(page.get("next_first_part").isNull()).as("no more").isTrue();

        // Out of bounds: a first part past the parts, a later page without its upload, too few or too many parts.
        assertError(post(parts, next + "251}", 400), "first_part must be a whole number from 1 to parts (250)");
        assertError(post(parts, "{\"parts\": 250, \"first_part\": 101}", 400), "give its upload_id");
        assertError(post(parts, "{\"parts\": 10001}", 400), "from 1 to 4096");
        long twentyGiB = 20L * 1024 * 1024 * 1024;
        assertError(post(parts, "{\"parts\": 3, \"size\": " + twentyGiB + "}", 400),
                "from 4 to 4096 for a source of " + twentyGiB + " bytes");
        assertThat(json(post(parts, "{\"parts\": 4, \"size\": " + twentyGiB + "}", 201)).get("parts")).hasSize(4);
    }

    /** A URL of a later page takes its part, and complete-upload without a list joins the parts S3 holds. */
    @Test
    void anUploadInPagedPartsCompletesWithoutListingThem() throws Exception {
        String jobId = json(postJobs(BodyPublishers.ofString("{\"mode\": \"sbs\", \"hold\": true}"))).get("job_id").asText();
        String parts = "/jobs/" + jobId + "/upload-parts";
        String uploadId = json(post(parts, "{\"parts\": 102}", 201)).get("upload_id").asText();
        JsonNode page = json(post(parts, "{\"parts\": 102, \"upload_id\": \"" + uploadId + "\", \"first_part\": 101}", 201));
        byte[] first = new byte[5 * 1024 * 1024];
        Arrays.fill(first, (byte) 1);
        byte[] last = "the end".getBytes();
        put(page.get("parts").get(0).get("url").asText(), first);
        put(page.get("parts").get(1).get("url").asText(), last);

        assertError(post("/jobs/" + jobId + "/complete-upload", "{\"upload_id\": \"" + uploadId + "\", \"parts\": []}", 400),
                "parts must list");
        post("/jobs/" + jobId + "/complete-upload", "{\"upload_id\": \"" + uploadId + "\"}", 200);
        assertThat(s3.headObject(r -> r.bucket(names().inputBucket()).key("input/" + jobId + "/source.mp4")).contentLength())
                .isEqualTo(first.length + last.length);
    }

    private String post(String path, String body, int status) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return response.body();
    }

    private void put(String url, byte[] body) throws Exception {
        HttpResponse<Void> put = http.send(HttpRequest.newBuilder(URI.create(url)).PUT(BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(put.statusCode()).isEqualTo(200);
    }

    private JsonNode json(String body) throws Exception {
        return mapper.readTree(body);
    }

    private JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isLessThan(300);
        return mapper.readTree(response.body());
    }

    private void assertError(String body, String contains) throws Exception {
        assertThat(json(body).get("error").asText()).contains(contains);
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
