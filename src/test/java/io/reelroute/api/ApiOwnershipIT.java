package io.reelroute.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Date;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

import io.reelroute.contract.FailurePhase;
import io.reelroute.contract.JobIds;
import io.reelroute.contract.Mode;
import io.reelroute.contract.OutputKeys;
import io.reelroute.testing.EmbeddedDefaultTest;
import io.reelroute.testing.RouteTestSupport;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The job API with bearer tokens on, as elsewhere than the embedded default: tokens signed by a key pair made
 * here and published as a JWKS by a local server. Two users never see, list, delete or retry each other's jobs
 * (404, so ids don't leak), and expired or tampered tokens get 401 with {@code WWW-Authenticate: Bearer}. Quotas
 * are per user: one user over a quota gets 429 with Retry-After while another goes on.
 */
@EmbeddedDefaultTest
@TestPropertySource(properties = {
    "reelroute.api.auth.enabled=true",
    "reelroute.api.auth.issuer=" + ApiOwnershipIT.ISSUER,
    "reelroute.api.auth.audience=" + ApiOwnershipIT.AUDIENCE,
    "reelroute.api.job-creation-rate=5",
    // A closed event stream is noticed at its next keep-alive.
    "reelroute.api.event-heartbeat=1s",
})
class ApiOwnershipIT extends RouteTestSupport {

    static final String ISSUER = "https://issuer.reelroute.test";
    static final String AUDIENCE = "reelroute-web";
    static final RSAKey KEY;
    static final HttpServer JWKS;

    static {
        try {
            KEY = new RSAKeyGenerator(2048).keyID("test-key").generate();
            byte[] body = new JWKSet(KEY).toPublicJWKSet().toString().getBytes(StandardCharsets.UTF_8);
            JWKS = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            JWKS.createContext("/.well-known/jwks.json", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            JWKS.start();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper mapper = new ObjectMapper();

    @LocalServerPort
    int port;
    @LocalManagementPort
    int managementPort;
    @Autowired
    ServletWebServerApplicationContext web;

    @DynamicPropertySource
    static void jwks(DynamicPropertyRegistry registry) {
        registry.add("reelroute.api.auth.jwks-uri",
                () -> "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/.well-known/jwks.json");
    }

    @AfterAll
    static void stop() {
        JWKS.stop(0);
    }

    @Test
    void aUserCanNeitherSeeListDeleteNorRetryAnotherUsersJob() throws Exception {
        String alice = token("alice", Instant.now().plusSeconds(600));
        String bob = token("bob", Instant.now().plusSeconds(600));
        HttpResponse<String> created = call("POST", "/jobs", alice, "{\"mode\":\"sbs\",\"title\":\"holiday\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        String jobId = json(created).get("job_id").asText();

        assertThat(call("GET", "/jobs/" + jobId, alice, null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/jobs/" + jobId, bob, null).statusCode()).isEqualTo(404);
        assertThat(call("DELETE", "/jobs/" + jobId, bob, null).statusCode()).isEqualTo(404);
        assertThat(call("POST", "/jobs/" + jobId + "/retry", bob, null).statusCode()).isEqualTo(404);
        assertThat(json(call("GET", "/jobs?status=in_progress", alice, null)).get("jobs").findValuesAsText("job_id"))
                .contains(jobId);
        assertThat(json(call("GET", "/jobs?status=in_progress", bob, null)).get("jobs").findValuesAsText("job_id"))
                .doesNotContain(jobId);
        assertThat(call("GET", "/jobs/" + jobId + "/events", bob, null).statusCode()).isEqualTo(404);
        assertThat(call("POST", "/jobs/" + jobId + "/upload-parts", bob, "{\"parts\": 1}").statusCode()).isEqualTo(404);
        assertThat(call("POST", "/jobs/" + jobId + "/complete-upload", bob, "{\"upload_id\": \"u\", \"parts\": []}").statusCode())
                .isEqualTo(404);
        // Bob's failed attempts changed nothing.
        assertThat(json(call("GET", "/jobs/" + jobId, alice, null)).get("title").asText()).isEqualTo("holiday");

        // Once its HLS package is ready, only Alice may play it.
        jobs.chunkingComplete(jobId, 1);
        jobs.complete(jobId);
        jobs.hlsSubmitted(jobId, "local");
        jobs.hlsReady(jobId, OutputKeys.hlsPrefix(jobId) + "master.m3u8");
        s3.putObject(r -> r.bucket(names().outputBucket()).key(OutputKeys.hlsPrefix(jobId) + "master.m3u8"),
                RequestBody.fromString("#EXTM3U\n"));
        assertThat(call("GET", "/jobs/" + jobId + "/playback", bob, null).statusCode()).isEqualTo(404);
        String media = json(call("GET", "/jobs/" + jobId + "/playback", alice, null)).get("url").asText();
        assertThat(call("GET", media, alice, null).body()).startsWith("#EXTM3U");
        assertThat(call("GET", media, bob, null).statusCode()).isEqualTo(404);
        HttpResponse<String> anonymous = call("GET", media, null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }

    @Test
    void missingExpiredAndTamperedTokensAreRefusedWith401() throws Exception {
        String expired = token("alice", Instant.now().minusSeconds(120));
        String valid = token("alice", Instant.now().plusSeconds(600));
        String[] parts = valid.split("\\.");
        String tampered = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                        .replace("alice", "mallory").getBytes(StandardCharsets.UTF_8)) + "." + parts[2];

        for (String token : new String[] {null, expired, tampered}) {
            HttpResponse<String> refused = call("GET", "/jobs?status=in_progress", token, null);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(json(refused).get("error").asText()).isNotBlank();
        }
        assertThat(json(call("GET", "/jobs?status=in_progress", expired, null)).get("error").asText()).contains("expired");
        assertThat(call("GET", "/jobs?status=in_progress", valid, null).statusCode()).isEqualTo(200);
        // The header's name and the scheme in any case.
        HttpResponse<String> lowerCase = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/jobs?status=in_progress")).header("authorization", "bearer " + valid).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(lowerCase.statusCode()).as(lowerCase.body()).isEqualTo(200);
    }

    /**
     * A token counts only in the Authorization header: not as access_token or Authorization in the query (which
     * platform-http would turn into the header) or in a form, alone or beside a valid header.
     */
    @Test
    void aTokenOutsideTheAuthorizationHeaderIsRefused() throws Exception {
        String valid = token("alice", Instant.now().plusSeconds(600));
        String encoded = java.net.URLEncoder.encode("Bearer " + valid, StandardCharsets.UTF_8);
        for (String query : new String[] {"access_token=" + valid, "Authorization=" + encoded, "authorization=" + encoded,
                "ACCESS_TOKEN=" + valid}) {
            HttpResponse<String> refused = call("GET", "/jobs?status=in_progress&" + query, null, null);
            assertThat(refused.statusCode()).as(query).isEqualTo(400);
            assertThat(json(refused).get("error").asText()).contains("Authorization header");
            assertThat(call("GET", "/jobs?status=in_progress&" + query, valid, null).statusCode()).as(query).isEqualTo(400);
        }
        HttpResponse<String> media = call("GET", "/media/00000000-0000-4000-8000-000000000000/master.m3u8?access_token=" + valid,
                null, null);
        assertThat(media.statusCode()).isEqualTo(400);
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/jobs"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("access_token=" + valid + "&mode=sbs")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).as(form.body()).isEqualTo(400);
        assertThat(call("GET", "/jobs?status=in_progress", valid, null).statusCode()).isEqualTo(200);
    }

    /** With tokens checked, other machines may call: the server listens on every interface (no address). */
    @Test
    void withAuthenticationOnTheApiListensOnEveryInterface() {
        assertThat(((TomcatWebServer) web.getWebServer()).getTomcat().getConnector().getProperty("address")).isNull();
    }

    /**
     * Health on the management port tells what it is made of (components, their details) only to a caller with a
     * valid token; the probes need none, and the ones on the API's port never tell more than the status.
     */
    @Test
    void healthDetailsNeedATokenAndTheProbesDoNot() throws Exception {
        String valid = token("alice", Instant.now().plusSeconds(600));
        String expired = token("alice", Instant.now().minusSeconds(120));
        assertThat(call("GET", "/livez", null, null).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> call("GET", "/readyz", null, null).statusCode() == 200);
        JsonNode readyz = json(call("GET", "/readyz", valid, null));
        assertThat(readyz.get("status").asText()).isEqualTo("UP");
        assertThat(readyz.has("components")).as("the API's port: the status alone, token or not").isFalse();

        for (String token : new String[] {null, expired}) {
            HttpResponse<String> bare = management("/actuator/health/readiness", token);
            assertThat(bare.statusCode()).isEqualTo(200);
            assertThat(json(bare).get("status").asText()).isEqualTo("UP");
            assertThat(json(bare).has("components")).as(bare.body()).isFalse();
            assertThat(json(management("/actuator/health", token)).has("components")).isFalse();
        }
        JsonNode detailed = json(management("/actuator/health/readiness", valid));
        assertThat(detailed.get("components").get("aws").get("details").get("dynamodb").asText()).isEqualTo("UP");
        assertThat(json(management("/actuator/health", valid)).get("components").has("aws")).isTrue();
    }

    private HttpResponse<String> management(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The 21st unfinished job of a user (the default quota is 20) is refused until one of them ends or goes. */
    @Test
    void aUserWithTwentyUnfinishedJobsGets429ForOneMore() throws Exception {
        String dave = token("dave", Instant.now().plusSeconds(600));
        String erin = token("erin", Instant.now().plusSeconds(600));
        List<String> daves = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String jobId = JobIds.newId();
            jobs.createIfAbsent(jobId, Mode.SBS, "dave", null);
            daves.add(jobId);
        }
        assertThat(jobs.countUnfinishedOf("dave")).isEqualTo(20);

        HttpResponse<String> refused = call("POST", "/jobs", dave, "{\"mode\": \"sbs\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("60");
        assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(json(refused).get("error").asText()).contains("20 unfinished jobs").contains("max-active-jobs-per-user");
        assertThat(jobs.countUnfinishedOf("dave")).as("no job was made").isEqualTo(20);
        assertThat(call("POST", "/jobs", erin, "{\"mode\": \"sbs\"}").statusCode()).as("another user goes on").isEqualTo(201);

        // A job that ends, or is deleted, makes room.
        jobs.fail(daves.get(0), FailurePhase.UPLOAD, "test");
        assertThat(call("POST", "/jobs", dave, "{\"mode\": \"sbs\"}").statusCode()).isEqualTo(201);
        assertThat(call("POST", "/jobs", dave, "{\"mode\": \"sbs\"}").statusCode()).isEqualTo(429);
        assertThat(call("DELETE", "/jobs/" + daves.get(1), dave, null).statusCode()).isEqualTo(202);
        assertThat(call("POST", "/jobs", dave, "{\"mode\": \"sbs\"}").statusCode()).isEqualTo(201);
    }

    /** reelroute.api.job-creation-rate=5 here: a sixth job within the minute is 429, for that user only. */
    @Test
    void creatingJobsFasterThanTheRateIs429WithRetryAfter() throws Exception {
        String carol = token("carol", Instant.now().plusSeconds(600));
        String frank = token("frank", Instant.now().plusSeconds(600));
        for (int i = 0; i < 5; i++) {
            assertThat(call("POST", "/jobs", carol, "{\"mode\": \"sbs\"}").statusCode()).isEqualTo(201);
        }
        HttpResponse<String> refused = call("POST", "/jobs", carol, "{\"mode\": \"sbs\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
        // One job every 12 s comes back.
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 12L);
        assertThat(json(refused).get("error").asText()).contains("5 jobs a minute").contains("job-creation-rate");
        assertThat(call("POST", "/jobs", frank, "{\"mode\": \"sbs\"}").statusCode()).as("another user goes on").isEqualTo(201);
    }

    /** reelroute.api.max-streams-per-user (5): a sixth stream of one user is 429 while another user gets one. */
    @Test
    void aUsersExtraEventStreamIs429WhileAnotherUserGetsOne() throws Exception {
        String grace = token("grace", Instant.now().plusSeconds(600));
        String heidi = token("heidi", Instant.now().plusSeconds(600));
        String gracesJob = JobIds.newId();
        jobs.createIfAbsent(gracesJob, Mode.SBS, "grace", null);
        String heidisJob = JobIds.newId();
        jobs.createIfAbsent(heidisJob, Mode.SBS, "heidi", null);

        List<InputStream> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                HttpResponse<InputStream> stream = stream(gracesJob, grace);
                assertThat(stream.statusCode()).isEqualTo(200);
                open.add(stream.body());
            }
            HttpResponse<String> refused = call("GET", "/jobs/" + gracesJob + "/events", grace, null);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
            assertThat(json(refused).get("error").asText()).contains("max-streams-per-user").contains("poll GET /jobs/" + gracesJob);

            HttpResponse<InputStream> heidis = stream(heidisJob, heidi);
            assertThat(heidis.statusCode()).as("another user still gets a stream").isEqualTo(200);
            open.add(heidis.body());
        } finally {
            for (InputStream stream : open) {
                stream.close();
            }
        }
        // Closed streams are noticed at their next keep-alive, and free the user's quota.
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            HttpResponse<InputStream> again = stream(gracesJob, grace);
            again.body().close();
            return again.statusCode() == 200;
        });
    }

    private HttpResponse<InputStream> stream(String jobId, String token) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/jobs/" + jobId + "/events"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    /** The body cap comes before authentication: an unauthenticated 500 MB body is 413, not read to be 401. */
    @Test
    void anUnauthenticatedHugeBodyIsRefusedForItsSizeFirst() throws Exception {
        for (boolean chunked : new boolean[] {false, true}) {
            ApiBoundsIT.Sent body = new ApiBoundsIT.Sent(500L * 1000 * 1000);
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/jobs"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(chunked ? body.chunked() : body.declared()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
            assertThat(json(refused).get("error").asText()).contains("reelroute.api.max-body-bytes");
            assertThat(body.bytes.get()).isLessThan(body.size);
        }
        assertThat(call("POST", "/jobs", null, "{\"mode\": \"sbs\"}").statusCode()).isEqualTo(401);
    }

    private String token(String subject, Instant expires) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject(subject)
                .issueTime(Date.from(expires.minusSeconds(900))).expirationTime(Date.from(expires)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(KEY.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(KEY));
        return jwt.serialize();
    }

    private HttpResponse<String> call(String method, String path, String token, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(HttpResponse<String> response) throws IOException {
        return mapper.readTree(response.body());
    }
}
