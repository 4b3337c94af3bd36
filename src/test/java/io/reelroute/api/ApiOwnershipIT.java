package io.reelroute.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
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

import io.reelroute.contract.OutputKeys;
import io.reelroute.testing.EmbeddedDefaultTest;
import io.reelroute.testing.RouteTestSupport;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The job API with bearer tokens on, as elsewhere than the embedded default: tokens signed by a key pair made
 * here and published as a JWKS by a local server. Two users never see, list, delete or retry each other's jobs
 * (404, so ids don't leak), and expired or tampered tokens get 401 with {@code WWW-Authenticate: Bearer}.
 */
@EmbeddedDefaultTest
@TestPropertySource(properties = {
    "reelroute.api.auth.enabled=true",
    "reelroute.api.auth.issuer=" + ApiOwnershipIT.ISSUER,
    "reelroute.api.auth.audience=" + ApiOwnershipIT.AUDIENCE,
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

    /** The body cap comes before authentication: an unauthenticated 500 MB body is 413, not read to be 401. */
    @Test
    void anUnauthenticatedHugeBodyIsRefusedForItsSizeFirst() throws Exception {
        for (boolean chunked : new boolean[] {false, true}) {
            RequestBodyLimitIT.Sent body = new RequestBodyLimitIT.Sent(500L * 1000 * 1000);
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/jobs"))
                    .timeout(java.time.Duration.ofSeconds(30)).header("Content-Type", "application/json")
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
